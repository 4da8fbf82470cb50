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

    private static IEnumerable<(string Name, string Path)> Segments(string directory)
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
            ByteLocks.LockExclusive(fd, SharedSegment.LifecycleLockOffset);
            try
            {
                bool attached = ByteLocks.IsLockedByOther(fd, SharedSegment.AttachLockOffset);
                long length = SegmentFile.SizeOf(fd);
                byte[] prefix = new byte[(int)Math.Clamp(length, 0, SegmentGeometry.MaxHeaderSize)];
                int read = SegmentFile.ReadPrefix(fd, prefix);
                SegmentGeometry? geometry = TryValidate(prefix.AsSpan(0, read), length, path);
                bool keep = geometry is not null && (BitConverter.ToUInt32(prefix, 0x4C) & ChannelHeader.FlagKeep) != 0;

                // A file that does not validate is corrupt, not stale: it is left alone, like any bad input. (Channels
                // appear under their name only once whole, so a valid header is the only kind a live creator shows.)
                bool stale = geometry is not null && !attached && !keep;
                if (remove && stale)
                {
                    byte[] one = BitConverter.GetBytes(1);
                    fixed (byte* p = one)
                    {
                        _ = LibC.PWrite(fd, p, 4, 0x8C); // Removed: a racing opener waiting on the lifecycle lock backs off
                    }

                    LibC.Unlink(path);
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

    private static ChannelInfo Describe(string name, string path, int fd, SegmentGeometry geometry, byte[] prefix, bool attached, bool stale)
    {
        fixed (byte* header = prefix)
        {
            var h = (ChannelHeader*)header;
            var participants = new List<ParticipantInfo>();
            for (int row = 0; row < geometry.ParticipantSlots; row++)
            {
                var slot = (ParticipantSlot*)(header + geometry.ParticipantTableOffset + row * ParticipantSlot.Size);
                if (slot->State == ParticipantSlot.StateFree)
                {
                    continue;
                }

                bool alive = ByteLocks.IsLockedByOther(fd, geometry.ParticipantTableOffset + (long)row * ParticipantSlot.Size);
                participants.Add(new ParticipantInfo(row, EndpointRoles.Of(slot->Kind == ParticipantSlot.KindProducer, geometry.Topology).Name(),
                    slot->Pid, alive, slot->Mode == ParticipantSlot.ModeLossy ? SubscriberMode.Lossy : slot->Mode == ParticipantSlot.ModeTethered ? SubscriberMode.Tethered : null,
                    slot->Position, slot->Lost));
            }

            string state = h->Completion switch
            {
                CompletionState.Completed => "completed",
                CompletionState.Faulted or CompletionState.Faulting => "faulted",
                _ => "open",
            };
            long tail = geometry.Topology == ChannelTopology.MultiProducerSingleConsumer ? h->ClaimTail & ~Ring.MpscRing.ClosedBit : h->Tail;
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
