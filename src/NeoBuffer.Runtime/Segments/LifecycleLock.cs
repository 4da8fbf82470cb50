using System;

namespace NeoBuffer.Segments;

/// <summary>
/// The lifecycle lock, byte 2 of a segment file: held exclusively by whoever attaches, detaches or removes, so that "the
/// last one out removes the file" never interleaves with an attach (docs/format.md, "Lifetime"). Honest holders keep it
/// for a few system calls; but any process that can open the file can take it and keep it, so nobody waits for it
/// without a bound. Attaching and removing give up after <see cref="Wait"/> with a clear error; detaching then leaves
/// the file to a later sweep; a sweep does not wait at all (a segment whose lock is busy is being attached to, detached
/// from or removed right now, so it is not for the sweep to decide), and a listing leaves the channel out.
/// </summary>
internal static class LifecycleLock
{
    /// <summary>
    /// How long attaching, detaching, removing or listing waits for the lock: many thousand times what an honest holder
    /// takes, even on a loaded machine, so only a holder that is stopped or hostile is still there past it.
    /// </summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(2);

    /// <summary>Takes the lock of the segment open on <paramref name="fd"/>, waiting at most <paramref name="wait"/>; false past it.</summary>
    public static bool TryTake(int fd, TimeSpan wait) => ByteLocks.TryLockExclusive(fd, SharedSegment.LifecycleLockOffset, wait);

    /// <summary>Takes the lock, waiting at most <see cref="Wait"/>; past it, throws the error that says who is in the way.</summary>
    /// <exception cref="SharedChannelException">Another process has held the lock for longer than <see cref="Wait"/>.</exception>
    public static void Take(int fd, string name, string path)
    {
        if (!TryTake(fd, Wait))
        {
            throw new SharedChannelException(
                $"Channel '{name}' is locked: another process has held the lock on attaching to and removing it (byte 2 of '{path}') " +
                $"for more than {Wait.TotalSeconds:0} s, which NeoBuffer participants hold for microseconds. That process is stopped " +
                $"(SIGSTOP, a debugger) or is not a NeoBuffer participant: find it with 'fuser {path}' and end it, or use another channel name.");
        }
    }

    /// <summary>Releases the lock this open file holds.</summary>
    public static void Release(int fd) => ByteLocks.Unlock(fd, SharedSegment.LifecycleLockOffset);
}
