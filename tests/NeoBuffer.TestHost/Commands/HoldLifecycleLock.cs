using System;
using System.IO;
using System.Threading;
using NeoBuffer.Segments;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>hold-lifecycle-lock PATH</c>: a hostile peer that takes the lifecycle lock (byte 2) of the file at PATH and keeps
/// it until killed. A missing file is made first, of garbage, under a name a sweep looks at. Prints "holding".
/// </summary>
internal sealed class HoldLifecycleLock : IHostCommand
{
    public string Name => "hold-lifecycle-lock";

    public int Run(string[] args)
    {
        using var file = new FileStream(args[0], FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
        if (file.Length == 0)
        {
            file.Write(new byte[8192].AsSpan());
            file.Flush();
        }

        // Any process that can open the file can take this lock: nothing in the file format can stop it.
        if (!ByteLocks.TryLock((int)file.SafeFileHandle.DangerousGetHandle(), SharedSegment.LifecycleLockOffset))
        {
            Console.WriteLine("busy");
            return 1;
        }

        Console.WriteLine("holding");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
