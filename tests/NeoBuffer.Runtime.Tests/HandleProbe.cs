using System;
using System.IO;
using System.IO.Pipes;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.Interop;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A pipe whose write end a test passes around as a handle, keeping the read end: once every copy of the write end is
/// closed, in any process, the read end reports POLLHUP. So "was it closed, or leaked?" has an exact answer that no
/// other test running in parallel can disturb (unlike a count of /proc/self/fd).
/// </summary>
internal sealed unsafe class HandleProbe : IDisposable
{
    private const short POLLHUP = 0x10;
    private readonly AnonymousPipeServerStream _readEnd = new(PipeDirection.In, HandleInheritability.None);

    /// <summary>The write end to pass.</summary>
    public SafePipeHandle WriteEnd => _readEnd.ClientSafePipeHandle;

    /// <summary>Closes this process's own copy of the write end (after sending it).</summary>
    public void DropLocalWriteEnd() => _readEnd.DisposeLocalCopyOfClientHandle();

    /// <summary>Whether every copy of the write end was closed within <paramref name="timeout"/>.</summary>
    public bool IsClosedEverywhere(TimeSpan timeout)
    {
        var poll = new LibC.PollFd { Fd = (int)_readEnd.SafePipeHandle.DangerousGetHandle(), Events = LibC.POLLIN };
        int ready = LibC.Poll(&poll, 1, (int)timeout.TotalMilliseconds);
        return ready > 0 && (poll.ReturnedEvents & POLLHUP) != 0;
    }

    /// <summary>The bytes written into the pipe so far (after the write ends closed).</summary>
    public string ReadAll() => new StreamReader(_readEnd).ReadToEnd();

    public void Dispose()
    {
        _readEnd.DisposeLocalCopyOfClientHandle(); // a pipe stream whose client handle was handed out never closes it itself
        _readEnd.Dispose();
    }
}
