using System;
using System.Globalization;
using System.Threading;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>flood-unread DIRECTORY NAME COUNT</c>: connects to the server NAME with a response ring of its own (4 KiB: room
/// for about a hundred answers), then sends COUNT requests under its id and token and reads none of the answers, as
/// no client made by the library can (it keeps at most 1024 requests in flight); prints <c>sent</c> and stays until its
/// parent kills it or goes away.
/// </summary>
internal sealed class FloodUnread : IHostCommand
{
    public string Name => "flood-unread";

    public int Run(string[] args)
    {
        ParentWatch.Start();
        using HandMadeClient client = HandMadeClient.Create(args[0], args[1], 4096);
        client.SendConnect();
        client.AwaitAcknowledgement(TimeSpan.FromSeconds(30));
        var message = new byte[HandMadeClient.RequestSize(HandMadeClient.ServiceSchemaOf(args[0], args[1]))];
        for (long i = 1; i <= long.Parse(args[2], CultureInfo.InvariantCulture); i++)
        {
            client.SendRequest(i << 20, message);
        }

        Console.WriteLine("sent");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
