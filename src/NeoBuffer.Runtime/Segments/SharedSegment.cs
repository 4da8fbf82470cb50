using System;
using System.Diagnostics;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Interop;

namespace NeoBuffer.Segments;

/// <summary>
/// One process's attachment to a channel's segment: the mapping, the validated geometry, and the attach count that
/// lets the last participant out remove the file.
/// </summary>
internal sealed unsafe class SharedSegment : IDisposable
{
    // How long an opener waits for a creator that is still writing the header.
    private static readonly TimeSpan InitializationWait = TimeSpan.FromSeconds(2);

    private readonly SegmentMapping _mapping;
    private readonly int _fd;
    private readonly bool _keep;
    private readonly int[] _freeing;
    private int _disposed;

    private SharedSegment(string name, string path, int fd, SegmentMapping mapping, SegmentGeometry geometry, bool keep)
    {
        Name = name;
        Path = path;
        _fd = fd;
        _mapping = mapping;
        Geometry = geometry;
        Header = (ChannelHeader*)mapping.Address;
        _keep = keep || (Header->Flags & ChannelHeader.FlagKeep) != 0;
        Data = mapping.Address + geometry.DataOffset;
        _freeing = new int[geometry.ParticipantSlots];
    }

    public string Name { get; }

    public string Path { get; }

    public SegmentGeometry Geometry { get; }

    public ChannelHeader* Header { get; }

    public byte* Data { get; }

    /// <summary>The mapping, for waits that must keep it alive past a concurrent dispose.</summary>
    public SegmentMapping Mapping => _mapping;

    /// <summary>
    /// Byte every attached endpoint holds a shared lock on, from before the creator writes the header until it detaches.
    /// Nobody holding it proves nobody is attached, even after crashes (docs/format.md, "Lifetime").
    /// </summary>
    public const long AttachLockOffset = 1;

    /// <summary>Byte whose exclusive lock serialises "the last one out removes the file" against attaching.</summary>
    public const long LifecycleLockOffset = 2;

    /// <summary>The file byte whose lock proves row <paramref name="index"/>'s holder alive: the row's first byte.</summary>
    public long SlotLockOffset(int index) => Geometry.ParticipantTableOffset + (long)index * ParticipantSlot.Size;

    /// <summary>Takes row <paramref name="index"/>'s lock for this endpoint; false when a live holder has it.</summary>
    public bool TryLockSlot(int index) => ByteLocks.TryLock(_fd, SlotLockOffset(index));

    /// <summary>Releases this endpoint's lock on row <paramref name="index"/>.</summary>
    public void UnlockSlot(int index) => ByteLocks.Unlock(_fd, SlotLockOffset(index));

    /// <summary>Whether some other live endpoint (in any process) holds row <paramref name="index"/>'s lock.</summary>
    public bool IsSlotLockedByOther(int index) => ByteLocks.IsLockedByOther(_fd, SlotLockOffset(index));

    /// <summary>
    /// Takes row <paramref name="index"/> to free a dead holder's row: a shared lock on the row's byte, so nobody takes
    /// the row meanwhile (ParticipantRole.TryLockDead), and, first, a flag only this endpoint's threads see. False when another live endpoint holds the row, or when
    /// another thread of this endpoint is freeing it already (then the row is being handled: nothing to do).
    /// </summary>
    /// <remarks>
    /// An OFD lock belongs to the open file description, not to a thread: the reading thread's peer check and the
    /// completion watch on the futex waiter thread use this endpoint's one descriptor, so for them the lock is a
    /// no-op re-lock, and the first to unlock drops the lock the other still relies on; a new participant could then
    /// take the row and have it freed under it. The flag, taken by CAS before the lock and cleared only after the
    /// unlock, keeps the lock/act/unlock of one row to one thread of this endpoint at a time.
    /// </remarks>
    public bool TryLockDeadSlot(int index)
    {
        if (Interlocked.CompareExchange(ref _freeing[index], 1, 0) != 0)
        {
            return false;
        }

        if (ByteLocks.TryLockShared(_fd, SlotLockOffset(index)))
        {
            return true;
        }

        Volatile.Write(ref _freeing[index], 0);
        return false;
    }

    /// <summary>Lets go of a row taken by <see cref="TryLockDeadSlot"/>: the lock, then the flag (never the other way round).</summary>
    public void UnlockDeadSlot(int index)
    {
        ByteLocks.Unlock(_fd, SlotLockOffset(index));
        Volatile.Write(ref _freeing[index], 0);
    }

    /// <summary>Whether the only locks others hold on row <paramref name="index"/> are shared: someone is freeing it.</summary>
    public bool IsSlotLockedSharedByOther(int index) => ByteLocks.IsLockedSharedByOther(_fd, SlotLockOffset(index));

    public ParticipantSlot* Slot(int index)
    {
        if ((uint)index >= (uint)Geometry.ParticipantSlots)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return (ParticipantSlot*)(_mapping.Address + Geometry.ParticipantTableOffset + (long)index * ParticipantSlot.Size);
    }

    /// <summary>Creates the segment file and its header; the caller is its first participant.</summary>
    public static SharedSegment Create(string name, SharedChannelOptions options, MessageLayout? schema)
    {
        ChannelName.Validate(name);
        SegmentDirectory.RemoveStale(ChannelName.ResolveDirectory(options.Directory));
        SegmentGeometry geometry = GeometryForNew(options, schema);
        string directory = ChannelName.ResolveDirectory(options.Directory);
        string path = ChannelName.PathOf(directory, name);

        // Built whole under a private name, then linked into place: no one (opener or sweeper) can ever see the channel
        // half-made, and link, like O_EXCL, refuses an existing name, symlinks included.
        string building = ChannelName.BuildingPathOf(directory, name);
        int fd = SegmentFile.CreateExclusive(building, name, geometry.FileLength, options.Permissions);
        SegmentMapping mapping;
        try
        {
            mapping = Initialize(fd, geometry, path, options.KeepSegment ? ChannelHeader.FlagKeep : 0);
            try
            {
                SegmentFile.LinkNew(building, path, name);
            }
            catch
            {
                mapping.Dispose();
                throw;
            }
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
        finally
        {
            LibC.Unlink(building);
        }

        return new SharedSegment(name, path, fd, mapping, geometry, options.KeepSegment);
    }

    /// <summary>
    /// Creates a sealed segment in an anonymous memfd (untrusted mode): the same geometry and header as a file segment,
    /// but no path, so nothing to link, sweep or unlink; the memory goes with its last descriptor and mapping.
    /// </summary>
    public static SharedSegment CreateSealed(string name, SharedChannelOptions options, MessageLayout? schema)
    {
        ChannelName.Validate(name);
        SegmentGeometry geometry = GeometryForNew(options, schema);
        string path = SealedPathOf(name);
        int fd = Sealed.SealedMemfd.Create(name, geometry.FileLength);
        try
        {
            SegmentMapping mapping = Initialize(fd, geometry, path, ChannelHeader.FlagKeep);
            return new SharedSegment(name, path, fd, mapping, geometry, keep: true);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Opens and validates an existing segment, then attaches to it.</summary>
    public static SharedSegment Open(string name, SharedChannelOptions options, MessageLayout? schema)
    {
        ChannelName.Validate(name);
        SegmentDirectory.RemoveStale(ChannelName.ResolveDirectory(options.Directory));
        string path = ChannelName.PathOf(ChannelName.ResolveDirectory(options.Directory), name);
        return AttachTo(name, path, SegmentFile.OpenExisting(path, name), options.KeepSegment, schema);
    }

    /// <summary>
    /// Attaches to the sealed segment behind <paramref name="fd"/> (this process's own open file description of a
    /// memfd whose seals the caller checked), validating its header like any open. Takes ownership of <paramref name="fd"/>.
    /// </summary>
    public static SharedSegment OpenSealed(int fd, string name, MessageLayout? schema)
    {
        ChannelName.Validate(name);
        return AttachTo(name, SealedPathOf(name), fd, keep: true, schema);
    }

    /// <summary>A new open file description of this segment's memfd, for handing to a peer (the caller closes it).</summary>
    public int OpenPrivateDescriptor() => Sealed.SealedMemfd.Reopen(_fd, Path);

    /// <summary>
    /// Makes this process's view of the ring data read-only. For broadcast subscribers, which write only their row and
    /// the header's wake words: a stray write into the ring from this process then faults here instead of corrupting
    /// what every other subscriber reads.
    /// </summary>
    public void ProtectDataReadOnly()
    {
        if (LibC.MProtect(Data, (nuint)Geometry.Capacity, LibC.PROT_READ) != 0)
        {
            throw new SharedChannelException($"Cannot make the ring of '{Path}' read-only: {LibC.Describe(System.Runtime.InteropServices.Marshal.GetLastSystemError())}.");
        }
    }

    // Not a file: a label for messages, in the form /proc shows memfds.
    private static string SealedPathOf(string name) => $"memfd:neobuffer.{name}";

    private static SegmentGeometry GeometryForNew(SharedChannelOptions options, MessageLayout? schema)
    {
        int maxPayload = options.MaxMessageSize;
        if (maxPayload > SharedChannelOptions.LargestMessageFor(options.Capacity))
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxPayload,
                $"MaxMessageSize {maxPayload} does not fit a ring of {options.Capacity} bytes (at most {SharedChannelOptions.LargestMessageFor(options.Capacity)}). Raise Capacity to at least {RecordFraming.WorstCaseFootprint(maxPayload)} bytes, rounded up to a power of two.");
        }

        if (schema is not null && schema.FixedSize > maxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(options), maxPayload, $"MaxMessageSize {maxPayload} is smaller than the fixed part of '{schema.Name}' ({schema.FixedSize} bytes).");
        }

        SegmentGeometry geometry = SegmentGeometry.ForNew(options.Topology, options.Capacity, maxPayload, options.ParticipantSlots, schema?.Fingerprint ?? 0, schema?.SchemaText ?? string.Empty);
        if (geometry.HeaderSize > SegmentGeometry.MaxHeaderSize)
        {
            throw new ArgumentException($"The schema text of '{schema?.Name}' is too long for a channel header.", nameof(schema));
        }

        return geometry;
    }

    // Maps a new, sized, zeroed segment and writes its header with the creator attached. Closing fd is the caller's.
    private static SegmentMapping Initialize(int fd, SegmentGeometry geometry, string path, uint flags)
    {
        ByteLocks.TryLockShared(fd, AttachLockOffset);
        SegmentMapping mapping = SegmentMapping.Map(fd, geometry.FileLength, path);
        try
        {
            HeaderCodec.Write(mapping.Address, geometry, flags);
            var header = (ChannelHeader*)mapping.Address;
            header->AttachCount = 1;
            Ring.Publication.Join(header);
            Volatile.Write(ref header->InitState, ChannelHeader.InitStateReady);
            return mapping;
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    // Validates, maps and attaches; takes ownership of fd.
    private static SharedSegment AttachTo(string name, string path, int fd, bool keep, MessageLayout? schema)
    {
        SegmentMapping mapping;
        SegmentGeometry geometry;
        try
        {
            geometry = ReadGeometry(fd, path);
            mapping = SegmentMapping.Map(fd, geometry.FileLength, path);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }

        var segment = new SharedSegment(name, path, fd, mapping, geometry, keep);
        try
        {
            segment.CheckSchema(schema);
            segment.Attach();
            Ring.Publication.Join(segment.Header);
            return segment;
        }
        catch
        {
            mapping.Dispose();
            LibC.Close(fd);
            throw;
        }
    }

    internal static SegmentGeometry ReadGeometry(int fd, string path)
    {
        // The creator makes the file, sizes it, then writes the header and publishes InitState last. An opener that
        // races it waits briefly for that, rather than reporting a half-made channel as corrupt.
        var clock = Stopwatch.StartNew();
        byte[] prefix = new byte[SegmentGeometry.MaxHeaderSize];
        while (true)
        {
            long length = SegmentFile.SizeOf(fd);
            int read = SegmentFile.ReadPrefix(fd, prefix.AsSpan(0, (int)Math.Min(length, prefix.Length)));
            bool ready = read >= ChannelHeader.Size &&
                         BitConverter.ToUInt64(prefix, 0) == ChannelHeader.MagicValue &&
                         BitConverter.ToUInt32(prefix, 0x80) == ChannelHeader.InitStateReady;
            if (ready || clock.Elapsed > InitializationWait || (read >= 8 && BitConverter.ToUInt64(prefix, 0) != 0 && BitConverter.ToUInt64(prefix, 0) != ChannelHeader.MagicValue))
            {
                SegmentGeometry geometry = HeaderCodec.Validate(prefix.AsSpan(0, read), length, path);
                if (!ready)
                {
                    throw new ChannelFormatException($"'{path}' cannot be opened as a channel: its creator never finished writing its header (it may have died while creating it). Remove the file and create the channel again.");
                }

                return geometry;
            }

            Thread.Sleep(5);
        }
    }

    private void CheckSchema(MessageLayout? schema)
    {
        ulong expected = schema?.Fingerprint ?? 0;
        if (Geometry.Fingerprint != expected)
        {
            string expectedText = schema?.SchemaText ?? "(raw bytes: no schema)";
            string actualText = Geometry.Fingerprint == 0 ? "(raw bytes: no schema)" : Geometry.SchemaText;
            throw new ChannelSchemaMismatchException(
                $"Channel '{Name}' carries messages of another schema.{Environment.NewLine}" +
                $"Opened with (fingerprint 0x{expected:X16}):{Environment.NewLine}{expectedText}{Environment.NewLine}" +
                $"Channel has (fingerprint 0x{Geometry.Fingerprint:X16}):{Environment.NewLine}{actualText}{Environment.NewLine}" +
                "Rebuild both sides with the same message definition, or use a new channel name.",
                expectedText, actualText);
        }
    }

    /// <summary>
    /// Attaches under the lifecycle lock: a remover that got there first has marked the header Removed (and unlinked
    /// the path, or is about to), and then this segment is not the channel any more.
    /// </summary>
    private void Attach()
    {
        ByteLocks.LockExclusive(_fd, LifecycleLockOffset);
        try
        {
            if (Volatile.Read(ref Header->Removed) != 0)
            {
                throw new ChannelNotFoundException($"Channel '{Name}' is being removed by its last participant. Create it again.");
            }

            ByteLocks.TryLockShared(_fd, AttachLockOffset);
            Interlocked.Increment(ref Header->AttachCount);
        }
        finally
        {
            ByteLocks.Unlock(_fd, LifecycleLockOffset);
        }
    }

    /// <summary>Detaches; the last participant out removes the file (unless told to keep it) and the mapping goes.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Under the lifecycle lock, so no one attaches between "nobody else is attached" and the unlink.
        ByteLocks.LockExclusive(_fd, LifecycleLockOffset);
        ByteLocks.Unlock(_fd, AttachLockOffset);
        if (!_keep && !ByteLocks.IsLockedByOther(_fd, AttachLockOffset))
        {
            // The last one out: nobody else can move the positions now, so they are final. A completed SPSC or MPSC
            // stream with messages unread is held for the next reader (a writer may write, complete and exit before its
            // reader starts). A stream left open or faulted is not a hand-off, and broadcast messages are promised only
            // to subscribers attached when they were written: those go as before.
            bool unread = Geometry.Topology != ChannelTopology.Broadcast
                && Volatile.Read(ref Header->Completion) == CompletionState.Completed
                && Metrics.RingOccupancy.UsedBytes(this) > 0;
            Volatile.Write(ref Header->HeldForReader, unread ? 1 : 0);
            if (!unread)
            {
                Volatile.Write(ref Header->Removed, 1);
                LibC.Unlink(Path);
            }
        }

        ByteLocks.Unlock(_fd, LifecycleLockOffset);
        _mapping.CloseWithMapping(_fd);
        _mapping.Dispose();
    }
}
