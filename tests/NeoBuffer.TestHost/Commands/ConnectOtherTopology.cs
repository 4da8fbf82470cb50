using System;
using System.Threading;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>connect-other-topology DIRECTORY NAME TOPOLOGY</c>: creates a "response ring" for the add server NAME as a
/// channel of TOPOLOGY (a <see cref="ChannelTopology"/> name: not the single-producer ring a client creates), with the
/// service's schema and a stamped token, and writes a connect record naming it; prints <c>sent</c> and stays until its
/// parent kills it or goes away.
/// </summary>
internal sealed class ConnectOtherTopology : IHostCommand
{
    public string Name => "connect-other-topology";

    public int Run(string[] args)
    {
        ParentWatch.Start();
        using HandMadeClient client = HandMadeClient.Create(args[0], args[1], 4096, Enum.Parse<ChannelTopology>(args[2]));
        client.SendConnect();
        Console.WriteLine("sent");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
