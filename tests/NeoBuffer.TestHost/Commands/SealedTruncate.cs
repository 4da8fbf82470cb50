using System;
using System.Runtime.InteropServices;
using System.Threading;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>sealed-truncate SOCKET</c>: plays a hostile peer. Receives the sealed memfd exactly as the server sent it and
/// tries to shrink it, grow it, and add a seal; prints <c>shrink=E grow=E seal=E</c> with each call's errno (0 if it
/// succeeded). EPERM for all three means the writer's mapping cannot be pulled from under it.
/// </summary>
internal sealed class SealedTruncate : IHostCommand
{
    public string Name => "sealed-truncate";

    public int Run(string[] args)
    {
        int fd = SegmentHandover.ReceiveRaw(args[0], TimeSpan.FromSeconds(60), CancellationToken.None, out _);
        long length = LibC.LSeek(fd, 0, LibC.SEEK_END);
        int shrink = LibC.FTruncate(fd, 0) == 0 ? 0 : Marshal.GetLastSystemError();
        int grow = LibC.FTruncate(fd, length * 2) == 0 ? 0 : Marshal.GetLastSystemError();
        int seal = LibC.FcntlInt(fd, LibC.F_ADD_SEALS, LibC.F_SEAL_WRITE) == 0 ? 0 : Marshal.GetLastSystemError();
        LibC.Close(fd);
        Console.WriteLine($"shrink={Describe(shrink)} grow={Describe(grow)} seal={Describe(seal)}");
        return 0;
    }

    private static string Describe(int errno) => errno switch
    {
        0 => "ok",
        LibC.EPERM => "EPERM",
        _ => errno.ToString(),
    };
}
