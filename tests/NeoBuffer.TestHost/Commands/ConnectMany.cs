using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>connect-many DIRECTORY NAME COUNT</c>: one process, holding one writer row of the add server NAME's request ring,
/// creates COUNT response rings of its own (each stamped with a token of its own, as a client's is) and writes a connect
/// record for each; prints <c>sent</c> and stays, reading none of them, until its parent kills it or goes away. What a
/// peer that wants the server to hold more clients than the ring has writers does.
/// </summary>
internal sealed class ConnectMany : IHostCommand
{
    public string Name => "connect-many";

    public int Run(string[] args)
    {
        ParentWatch.Start();
        using SharedChannelWriter requests = ForgedRecords.OpenRequests(args[0], args[1]);
        var rings = new List<IDisposable>();
        for (int i = 0; i < int.Parse(args[2], CultureInfo.InvariantCulture); i++)
        {
            (SharedChannelReader replies, SharedChannelWriter? ownRequests, string replyName, long token) = HandMadeClient.CreateRing(args[0], args[1], 4096);
            rings.Add(replies);
            rings.Add(ownRequests!);
            HandMadeClient.SendConnect(requests, replyName, token);
        }

        Console.WriteLine("sent");
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(rings);
        return 0;
    }
}
