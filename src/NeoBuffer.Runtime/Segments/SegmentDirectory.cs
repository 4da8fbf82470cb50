using System;
using System.Collections.Generic;
using System.IO;
using NeoBuffer.Format;
using NeoBuffer.Interop;
using NeoBuffer.Metrics;

namespace NeoBuffer.Segments;

/// <summary>
/// The segment files of a directory, seen from outside: what each channel is and who is attached, for tools, and the
/// sweep that removes segments every participant of which is gone (docs/format.md, "Lifetime").
/// </summary>
internal static unsafe class SegmentDirectory
{
    /// <summary>Describes every channel in <paramref name="directory"/> (files that are not channels are skipped).</summary>
    public static IReadOnlyList<ChannelInfo> List(string directory)
    {
        var channels = new List<ChannelInfo>();
        foreach ((string name, string path) in Segments(directory))
        {
            ChannelInfo? info = Inspect(name, path, remove: false);
            if (info is not null)
            {
                channels.Add(info);
            }
        }

        return channels;
    }

    /// <summary>
    /// Removes the segments of <paramref name="directory"/> nobody is attached to (every participant died, or the creator
    /// died before it finished), except those created with KeepSegment. Returns how many it removed.
    /// </summary>
    public static int RemoveStale(string directory)
    {
        int removed = RemoveAbandonedBuilds(directory);
        foreach ((string name, string path) in Segments(directory))
        {
            if (Inspect(name, path, remove: true) is { IsStale: true })
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Removes segments a creator was building when it died (their names carry its pid).</summary>
    private static int RemoveAbandonedBuilds(string directory)
    {
        int removed = 0;
        string[] files;
        try
        {
            files = Directory.GetFiles(directory, ".neobuffer.*.building");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }

        foreach (string path in files)
        {
            if (ChannelName.BuilderPidOf(Path.GetFileName(path)) is int pid && ProcessIdentity.ReadStartTime(pid) is null && LibC.Unlink(path) == 0)
            {
                removed++;
            }
        }

        return removed;
    }

    /// <summary>The channel files of <paramref name="directory"/> by name (none when it cannot be listed).</summary>
    public static IEnumerable<(string Name, string Path)> Segments(string directory)
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(directory, "neobuffer.*");
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (string path in files)
        {
            if (ChannelName.FromFileName(Path.GetFileName(path)) is string name)
            {
                yield return (name, path);
            }
        }
    }

    /// <summary>Reads one segment's header and locks without mapping it; with <paramref name="remove"/>, removes it when stale.</summary>
    private static ChannelInfo? Inspect(string name, string path, bool remove)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            return null; // gone meanwhile, a symlink, or not ours to open
        }

        try
        {
            // A sweep does not wait for the lifecycle lock: a file whose lock is held is being attached to, detached
            // from or swept right now (or held by a stopped or hostile process), so it is not this sweep's to judge,
            // and every create and open of the directory would otherwise wait for that holder. The next sweep looks
            // again. A listing waits as an attach does, then leaves the file out.
            if (!ByteLocks.TryLockExclusive(fd, SharedSegment.LifecycleLockOffset, remove ? TimeSpan.Zero : SharedSegment.LifecyclePatience))
            {
                return null;
            }

            try
            {
                bool attached = ByteLocks.IsLockedByOther(fd, SharedSegment.AttachLockOffset);
                long length = SegmentFile.SizeOf(fd);
                byte[] prefix = new byte[(int)Math.Clamp(length, 0, SegmentGeometry.MaxHeaderSize)];
                int read = SegmentFile.ReadPrefix(fd, prefix);
                SegmentGeometry? geometry = TryValidate(prefix.AsSpan(0, read), length, path);
                bool keep = geometry is not null && (BitConverter.ToUInt32(prefix, 0x4C) & ChannelHeader.FlagKeep) != 0;
                bool held = geometry is not null && IsHeldForReader(geometry, prefix);

                // A file that does not validate is corrupt, not stale: it is left alone, like any bad input. (Channels
                // appear under their name only once whole, so a valid header is the only kind a live creator shows.)
                bool stale = geometry is not null && !attached && !keep && !held;
                if (remove && stale)
                {
                    MarkRemovedAndUnlink(fd, path);
                }

                return geometry is null ? null : Describe(name, path, fd, geometry, prefix, attached, stale);
            }
            finally
            {
                ByteLocks.Unlock(fd, SharedSegment.LifecycleLockOffset);
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>
    /// Removes the segment at <paramref name="path"/> by hand (the <c>neobuffer rm</c> command): refused while a live
    /// process is attached or when the file is not a valid channel, unless <paramref name="force"/>.
    /// </summary>
    public static void Remove(string path, string name, bool force)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = System.Runtime.InteropServices.Marshal.GetLastSystemError();
            throw errno == LibC.ENOENT
                ? new ChannelNotFoundException($"No channel named '{name}' exists ('{path}' is missing). Check the name and the directory (--dir, NEOBUFFER_DIR).")
                : new SharedChannelException($"Cannot open channel '{name}' at '{path}' to remove it: {LibC.Describe(errno)}.");
        }

        try
        {
            // Under the lifecycle lock, as a sweep removes: an opener racing with us either attached first (and we
            // refuse) or finds Removed set once it has the lock, and backs off.
            if (!ByteLocks.TryLockExclusive(fd, SharedSegment.LifecycleLockOffset, SharedSegment.LifecyclePatience))
            {
                throw new ChannelInUseException($"Channel '{name}' cannot be removed now: {SharedSegment.LifecycleLockKept(path)}");
            }

            try
            {
                long length = SegmentFile.SizeOf(fd);
                byte[] prefix = new byte[(int)Math.Clamp(length, 0, SegmentGeometry.MaxHeaderSize)];
                int read = SegmentFile.ReadPrefix(fd, prefix);
                if (!force)
                {
                    SegmentFile.RequireRegularFile(fd, path);
                    if (TryValidate(prefix.AsSpan(0, read), length, path) is null)
                    {
                        HeaderCodec.Validate(prefix.AsSpan(0, read), length, path); // throws the reason
                        throw new ChannelFormatException($"'{path}' cannot be opened as a channel: its creator has not finished it. Remove it with --force if no process is creating it.");
                    }

                    if (ByteLocks.IsLockedByOther(fd, SharedSegment.AttachLockOffset))
                    {
                        throw new ChannelInUseException($"Channel '{name}' has live processes attached; stop them first, or remove it anyway with --force (they keep the channel they have, nobody new finds it).");
                    }
                }

                MarkRemovedAndUnlink(fd, path, writeMark: read >= ChannelHeader.Size);
            }
            finally
            {
                ByteLocks.Unlock(fd, SharedSegment.LifecycleLockOffset);
            }
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>Sets Removed (a racing opener waiting on the lifecycle lock backs off), then unlinks. Lifecycle lock held.</summary>
    private static void MarkRemovedAndUnlink(int fd, string path, bool writeMark = true)
    {
        if (writeMark)
        {
            byte[] one = BitConverter.GetBytes(1);
            fixed (byte* p = one)
            {
                _ = LibC.PWrite(fd, p, 4, 0x8C);
            }
        }

        LibC.Unlink(path);
    }

    private static SegmentGeometry? TryValidate(ReadOnlySpan<byte> prefix, long length, string path)
    {
        try
        {
            return prefix.Length >= ChannelHeader.Size && BitConverter.ToUInt32(prefix.Slice(0x80)) == ChannelHeader.InitStateReady
                ? HeaderCodec.Validate(prefix, length, path)
                : null;
        }
        catch (ChannelFormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether the header shows a stream held for its next reader: the flag the last one out set, and still a completed
    /// one-way stream with bytes unread. The flag alone is not trusted: a reader that attached to the held file, read it
    /// all and then died never cleared it, and any participant can write it. The sweep holds the lifecycle lock, so
    /// nobody attaches meanwhile; nobody being attached, the positions are final.
    /// </summary>
    private static bool IsHeldForReader(SegmentGeometry geometry, byte[] prefix)
    {
        fixed (byte* header = prefix)
        {
            var h = (ChannelHeader*)header;
            return h->HeldForReader != 0 && SharedSegment.IsCompletedStreamWithUnread(h, geometry);
        }
    }

    private static ChannelInfo Describe(string name, string path, int fd, SegmentGeometry geometry, byte[] prefix, bool attached, bool stale)
    {
        fixed (byte* header = prefix)
        {
            var h = (ChannelHeader*)header;
            var participants = new List<ParticipantInfo>();
            for (int index = 0; index < geometry.ParticipantRows; index++)
            {
                var row = (ParticipantRow*)(header + geometry.ParticipantTableOffset + index * ParticipantRow.Size);
                if (row->State == ParticipantRow.StateFree)
                {
                    continue;
                }

                bool alive = ByteLocks.IsLockedByOther(fd, geometry.ParticipantTableOffset + (long)index * ParticipantRow.Size);
                participants.Add(new ParticipantInfo(index, EndpointRoles.Of(row->Kind == ParticipantRow.KindProducer, geometry.Topology),
                    row->Pid, alive, row->Mode == ParticipantRow.ModeLossy ? SubscriberMode.Lossy : row->Mode == ParticipantRow.ModeTethered ? SubscriberMode.Tethered : null,
                    row->Position, row->Lost));
            }

            ChannelCompletionState state = h->Completion switch
            {
                CompletionState.Completed => ChannelCompletionState.Completed,
                CompletionState.Faulted or CompletionState.Faulting => ChannelCompletionState.Faulted,
                _ => ChannelCompletionState.Open,
            };
            long tail = geometry.Topology == ChannelTopology.MultiProducerSingleConsumer ? MpscClaimTail.PositionOf(h->ClaimTail) : h->Tail;
            return new ChannelInfo(name, path, geometry.Topology, geometry.Capacity, geometry.MaxPayloadSize, geometry.Fingerprint,
                SchemaName(geometry.SchemaText), geometry.SchemaText, tail, h->Head, state, attached, stale, participants)
            {
                IsDuplex = geometry.IsDuplex,
            };
        }
    }

    // Raw channels have no schema text; a text this version cannot parse names no message either.
    private static string? SchemaName(string schemaText) =>
        MessageSchema.TryParse(schemaText, out MessageSchema? schema, out _) ? schema.Name : null;
}
