using System;
using System.IO;
using System.Threading;
using NeoBuffer.Interop;
using NeoBuffer.Segments;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>lock-own-ring DIRECTORY NAME [connected]</c>: creates a response ring of its own for the add server NAME, takes
/// the ring file's lifecycle lock (held only for a moment by a process that attaches, detaches or sweeps) and keeps
/// it, then writes a connect record naming the ring; with <c>connected</c>, it connects first and takes the lock once
/// acknowledged, then writes a disconnect record (the server lets go of the ring: it detaches). Prints <c>sent</c> and
/// stays, the lock held, until its parent kills it or goes away. What a client that owns its ring file can do to a
/// server that opens it or leaves it.
/// </summary>
internal sealed class LockOwnRing : IHostCommand
{
    public string Name => "lock-own-ring";

    public int Run(string[] args)
    {
        ParentWatch.Start();
        using HandMadeClient client = HandMadeClient.Create(args[0], args[1], 4096);
        bool connected = args.Length > 2 && args[2] == "connected";
        if (connected)
        {
            client.SendConnect();
            client.AwaitAcknowledgement(TimeSpan.FromSeconds(30));
        }

        int fd = LibC.Open(Path.Combine(args[0], "neobuffer." + client.ReplyName), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0 || !ByteLocks.TryLock(fd, SharedSegment.LifecycleLockOffset))
        {
            Console.Error.WriteLine("could not take the lifecycle lock");
            return 1;
        }

        if (connected)
        {
            client.SendDisconnect();
        }
        else
        {
            client.SendConnect();
        }

        Console.WriteLine("sent");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
