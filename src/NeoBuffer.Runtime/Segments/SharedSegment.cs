using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using NeoBuffer.Format;
using NeoBuffer.Interop;

namespace NeoBuffer.Segments;

/// <summary>
/// One process's attachment to a channel's segment: the mapping, the validated geometry, and the attach count that
/// lets the last participant out remove the file. A duplex channel's file holds two ring images (header and ring
/// each); each has its own <see cref="SharedSegment"/>, on its own open file description, and the first image's
/// header carries the lifecycle words of the whole file (docs/format.md, "Duplex channels").
/// </summary>
internal sealed unsafe class SharedSegment : IDisposable
{
    private readonly SegmentMapping _mapping;
    private readonly int _fd;
    private readonly bool _keep;
    private readonly int[] _freeing;
    private readonly long _imageOffset;
    private readonly ChannelHeader* _fileHeader;
    private int _disposed;

    private SharedSegment(string name, string path, int fd, SegmentMapping mapping, SegmentGeometry geometry, bool keep, long imageOffset = 0)
    {
        Name = name;
        Path = path;
        _fd = fd;
        _mapping = mapping;
        Geometry = geometry;
        _imageOffset = imageOffset;
        _fileHeader = (ChannelHeader*)mapping.Address;
        Header = (ChannelHeader*)(mapping.Address + imageOffset);
        _keep = keep || (_fileHeader->Flags & ChannelHeader.FlagKeep) != 0;
        Data = (byte*)Header + geometry.DataOffset;
        _freeing = new int[geometry.ParticipantRows];
    }

    public string Name { get; }

    public string Path { get; }

    public SegmentGeometry Geometry { get; }

    public ChannelHeader* Header { get; }

    public byte* Data { get; }

    /// <summary>This endpoint's descriptor of the segment (its own open file description); closed when it is disposed.</summary>
    public int Descriptor => _fd;

    /// <summary>Whether the segment is a sealed memfd (a sealed or private channel), which can be passed to another process.</summary>
    public bool IsSealed => Path.StartsWith(SealedPathPrefix, StringComparison.Ordinal);

    /// <summary>The mapping, for waits that must keep it alive past a concurrent dispose.</summary>
    public SegmentMapping Mapping => _mapping;

    /// <summary>
    /// Byte every attached endpoint holds a shared lock on, from before the creator writes the header until it detaches.
    /// Nobody holding it proves nobody is attached, even after crashes (docs/format.md, "Lifetime").
    /// </summary>
    public const long AttachLockOffset = 1;

    /// <summary>Byte whose exclusive lock serialises "the last one out removes the file" against attaching.</summary>
    public const long LifecycleLockOffset = 2;

    /// <summary>
    /// How long an attach, a detach or a listing waits for the lifecycle lock, which its holders keep for a few system
    /// calls: a holder past this is stopped or hostile, and is not waited for (docs/format.md, "Lifetime").
    /// </summary>
    public static readonly TimeSpan LifecyclePatience = TimeSpan.FromSeconds(1);

    /// <summary>What a process that held the lifecycle lock of <paramref name="path"/> past <see cref="LifecyclePatience"/> did, and what to do.</summary>
    public static string LifecycleLockKept(string path) =>
        $"another process has held its lifecycle lock (byte {LifecycleLockOffset} of '{path}') for over {LifecyclePatience.TotalSeconds:0} s, " +
        "which only a stopped or hostile process does (lslocks shows which). Try again once it has let go.";

    /// <summary>The file byte whose lock proves row <paramref name="index"/>'s holder alive: the row's first byte.</summary>
    public long RowLockOffset(int index) => _imageOffset + Geometry.ParticipantTableOffset + (long)index * ParticipantRow.Size;

    /// <summary>Takes row <paramref name="index"/>'s lock for this endpoint; false when a live holder has it.</summary>
    public bool TryLockRow(int index) => ByteLocks.TryLock(_fd, RowLockOffset(index));

    /// <summary>Releases this endpoint's lock on row <paramref name="index"/>.</summary>
    public void UnlockRow(int index) => ByteLocks.Unlock(_fd, RowLockOffset(index));

    /// <summary>Whether some other live endpoint (in any process) holds row <paramref name="index"/>'s lock.</summary>
    public bool IsRowLockedByOther(int index) => ByteLocks.IsLockedByOther(_fd, RowLockOffset(index));

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
    public bool TryLockDeadRow(int index)
    {
        if (Interlocked.CompareExchange(ref _freeing[index], 1, 0) != 0)
        {
            return false;
        }

        if (ByteLocks.TryLockShared(_fd, RowLockOffset(index)))
        {
            return true;
        }

        Volatile.Write(ref _freeing[index], 0);
        return false;
    }

    /// <summary>Lets go of a row taken by <see cref="TryLockDeadRow"/>: the lock, then the flag (never the other way round).</summary>
    public void UnlockDeadRow(int index)
    {
        ByteLocks.Unlock(_fd, RowLockOffset(index));
        Volatile.Write(ref _freeing[index], 0);
    }

    /// <summary>Whether the only locks others hold on row <paramref name="index"/> are shared: someone is freeing it.</summary>
    public bool IsRowLockedSharedByOther(int index) => ByteLocks.IsLockedSharedByOther(_fd, RowLockOffset(index));

    public ParticipantRow* Row(int index)
    {
        if ((uint)index >= (uint)Geometry.ParticipantRows)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return (ParticipantRow*)((byte*)Header + Geometry.ParticipantTableOffset + (long)index * ParticipantRow.Size);
    }

    /// <summary>Creates the segment file and its header; the caller is its first participant.</summary>
    public static SharedSegment Create(string name, SharedChannelOptions options, MessageLayout? schema)
    {
        ChannelName.Validate(name);
        return CreateFile(name, options, [GeometryForNew(options, schema)])[0];
    }

    /// <summary>
    /// Creates a duplex channel's file: two ring images, <paramref name="firstSchema"/>'s first, in one file that
    /// appears under its name whole, with both already attached by the caller (each on its own open file description).
    /// </summary>
    public static (SharedSegment First, SharedSegment Second) CreateDuplex(string name, SharedChannelOptions options, MessageLayout? firstSchema, MessageLayout? secondSchema)
    {
        ChannelName.Validate(name);
        SegmentGeometry second = GeometryForNew(options, secondSchema) with { Flags = ChannelHeader.FlagDuplexSecond };
        SegmentGeometry first = GeometryForNew(options, firstSchema) with { Flags = ChannelHeader.FlagDuplex, PairedImageLength = second.FileLength };
        SharedSegment[] images = CreateFile(name, options, [first, second]);
        return (images[0], images[1]);
    }

    // Builds the file whole under a private name, then links it into place: no one (opener or sweeper) can ever see the
    // channel half-made, and link, like O_EXCL, refuses an existing name, symlinks included. One segment per image,
    // each on an open file description of its own, so each holds its own attach lock and row locks.
    private static SharedSegment[] CreateFile(string name, SharedChannelOptions options, SegmentGeometry[] images)
    {
        string directory = ChannelName.ResolveDirectory(options.Directory);
        SegmentDirectory.RemoveStale(directory);
        string path = ChannelName.PathOf(directory, name);
        long length = 0;
        foreach (SegmentGeometry image in images)
        {
            length += image.FileLength;
        }

        string building = ChannelName.BuildingPathOf(directory, name);
        var fds = new int[images.Length];
        var mappings = new SegmentMapping?[images.Length];
        Array.Fill(fds, -1);
        try
        {
            fds[0] = SegmentFile.CreateExclusive(building, name, length, options.Permissions);
            for (int i = 1; i < images.Length; i++)
            {
                fds[i] = SegmentFile.OpenExisting(building, name);
            }

            long offset = 0;
            for (int i = 0; i < images.Length; i++)
            {
                mappings[i] = Initialize(fds[i], images[i], offset, length, path, options.KeepSegment ? ChannelHeader.FlagKeep : 0);
                offset += images[i].FileLength;
            }

            var header = (ChannelHeader*)mappings[0]!.Address;
            header->AttachCount = images.Length;

            // The first image's InitState last: an opener that finds it Ready finds every image written.
            Volatile.Write(ref header->InitState, ChannelHeader.InitStateReady);
            SegmentFile.LinkNew(building, path, name);
        }
        catch
        {
            for (int i = 0; i < images.Length; i++)
            {
                mappings[i]?.Dispose();
                if (fds[i] >= 0)
                {
                    LibC.Close(fds[i]);
                }
            }

            throw;
        }
        finally
        {
            LibC.Unlink(building);
        }

        var segments = new SharedSegment[images.Length];
        long imageOffset = 0;
        for (int i = 0; i < images.Length; i++)
        {
            segments[i] = new SharedSegment(name, path, fds[i], mappings[i]!, images[i], options.KeepSegment, imageOffset);
            imageOffset += images[i].FileLength;
        }

        return segments;
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
            SegmentMapping mapping = Initialize(fd, geometry, 0, geometry.FileLength, path, ChannelHeader.FlagKeep);
            Volatile.Write(ref ((ChannelHeader*)mapping.Address)->AttachCount, 1);
            Volatile.Write(ref ((ChannelHeader*)mapping.Address)->InitState, ChannelHeader.InitStateReady);
            return new SharedSegment(name, path, fd, mapping, geometry, keep: true);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Opens and validates an existing segment, then attaches to it.</summary>
    /// <exception cref="ChannelFormatException">The channel is a duplex channel (open it with <see cref="OpenDuplex"/>).</exception>
    public static SharedSegment Open(string name, SharedChannelOptions options, MessageLayout? schema)
    {
        string path = PathForOpen(name, options);
        return AttachTo(name, path, SegmentFile.OpenExisting(path, name), options.KeepSegment, schema, duplex: false);
    }

    /// <summary>
    /// Opens a duplex channel's file and attaches to both its ring images (the second on an open file description of
    /// its own, reopened from the first's, so both are the same file even if the name is replaced meanwhile).
    /// </summary>
    /// <exception cref="ChannelFormatException">The channel is not a duplex channel.</exception>
    public static (SharedSegment First, SharedSegment Second) OpenDuplex(string name, SharedChannelOptions options, MessageLayout? firstSchema, MessageLayout? secondSchema)
    {
        string path = PathForOpen(name, options);
        SharedSegment first = AttachTo(name, path, SegmentFile.OpenExisting(path, name), options.KeepSegment, firstSchema, duplex: true);
        try
        {
            return (first, first.AttachSecondImage(secondSchema));
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    // Validates the header of the second image of a duplex file whose first image is described by first.
    private static SegmentGeometry ReadSecondGeometry(int fd, SegmentGeometry first, string path)
    {
        byte[] prefix = new byte[(int)Math.Min(first.PairedImageLength, SegmentGeometry.MaxHeaderSize)];
        int read = SegmentFile.ReadAt(fd, prefix, first.FileLength);
        SegmentGeometry geometry = HeaderCodec.Validate(prefix.AsSpan(0, read), first.PairedImageLength, path);
        if (!geometry.IsDuplexSecond)
        {
            throw new ChannelFormatException($"'{path}' cannot be opened as a duplex channel: the header after its first ring is not a duplex channel's second ring.");
        }

        return geometry;
    }

    private static string PathForOpen(string name, SharedChannelOptions options)
    {
        ChannelName.Validate(name);
        string directory = ChannelName.ResolveDirectory(options.Directory);
        if (options.SweepsDirectory)
        {
            SegmentDirectory.RemoveStale(directory);
        }

        return ChannelName.PathOf(directory, name);
    }

    // The second image of this (first, duplex) image's file, validated by its own header, on a new open file description.
    private SharedSegment AttachSecondImage(MessageLayout? schema)
    {
        int fd = Sealed.SealedMemfd.Reopen(_fd, Path);
        SegmentMapping mapping;
        SegmentGeometry geometry;
        try
        {
            geometry = ReadSecondGeometry(fd, Geometry, Path);
            mapping = SegmentMapping.Map(fd, Geometry.FileLength + Geometry.PairedImageLength, Path);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }

        return Attached(new SharedSegment(Name, Path, fd, mapping, geometry, _keep, Geometry.FileLength), schema);
    }

    /// <summary>
    /// Attaches to the sealed segment behind <paramref name="fd"/> (this process's own open file description of a
    /// memfd whose seals the caller checked), validating its header like any open. Takes ownership of <paramref name="fd"/>.
    /// </summary>
    public static SharedSegment OpenSealed(int fd, string name, MessageLayout? schema)
    {
        ChannelName.Validate(name);
        return AttachTo(name, SealedPathOf(name), fd, keep: true, schema, duplex: false);
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
    private const string SealedPathPrefix = "memfd:neobuffer.";

    private static string SealedPathOf(string name) => SealedPathPrefix + name;

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

        SegmentGeometry geometry = SegmentGeometry.ForNew(options.Topology, options.Capacity, maxPayload, options.ParticipantRows, schema?.Fingerprint ?? 0, schema?.SchemaText ?? string.Empty);
        if (geometry.HeaderSize > SegmentGeometry.MaxHeaderSize)
        {
            throw new ArgumentException($"The schema text of '{schema?.Name}' is too long for a channel header.", nameof(schema));
        }

        return geometry;
    }

    // Maps a new, sized, zeroed file (all of its fileLength bytes) and writes the header of the image at imageOffset,
    // with this descriptor attached. The first image's InitState and the AttachCount are the caller's to publish;
    // closing fd is the caller's too.
    private static SegmentMapping Initialize(int fd, SegmentGeometry geometry, long imageOffset, long fileLength, string path, uint flags)
    {
        ByteLocks.TryLockShared(fd, AttachLockOffset);
        SegmentMapping mapping = SegmentMapping.Map(fd, fileLength, path);
        try
        {
            HeaderCodec.Write(mapping.Address + imageOffset, geometry, flags);
            var header = (ChannelHeader*)(mapping.Address + imageOffset);
            Waiting.Publication.Join(header);
            if (imageOffset != 0)
            {
                Volatile.Write(ref header->InitState, ChannelHeader.InitStateReady);
            }

            return mapping;
        }
        catch
        {
            mapping.Dispose();
            throw;
        }
    }

    // Validates, maps and attaches (the whole file; a duplex file's first image); takes ownership of fd.
    private static SharedSegment AttachTo(string name, string path, int fd, bool keep, MessageLayout? schema, bool duplex)
    {
        SegmentMapping mapping;
        SegmentGeometry geometry;
        try
        {
            geometry = ReadGeometry(fd, path);
            if (geometry.IsDuplex != duplex)
            {
                throw new ChannelFormatException(duplex
                    ? $"Channel '{name}' is not a duplex channel: open it with SharedChannel.OpenReader or OpenWriter."
                    : $"Channel '{name}' is a duplex channel (a ring each way): open it with SharedChannel.OpenDuplex.");
            }

            if (duplex)
            {
                ReadSecondGeometry(fd, geometry, path); // both headers checked before anything is attached
            }

            mapping = SegmentMapping.Map(fd, geometry.FileLength + geometry.PairedImageLength, path);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }

        return Attached(new SharedSegment(name, path, fd, mapping, geometry, keep), schema);
    }

    // Checks the schema and attaches a freshly mapped segment; on failure unmaps it and closes its descriptor.
    private static SharedSegment Attached(SharedSegment segment, MessageLayout? schema)
    {
        try
        {
            segment.CheckSchema(schema);
            segment.Attach();
            Waiting.Publication.Join(segment.Header);
            return segment;
        }
        catch
        {
            segment._mapping.Dispose();
            LibC.Close(segment._fd);
            throw;
        }
    }

    internal static SegmentGeometry ReadGeometry(int fd, string path) => ReadFinishedHeader(fd, path, out _, out _);

    /// <summary>
    /// Reads and validates the header of the file behind <paramref name="fd"/>, which must be a finished channel's:
    /// <paramref name="prefix"/> gets the header bytes read, <paramref name="length"/> the file's size.
    /// </summary>
    /// <exception cref="ChannelFormatException">The file is no valid channel, or its header was never finished.</exception>
    internal static SegmentGeometry ReadFinishedHeader(int fd, string path, out byte[] prefix, out long length)
    {
        // A channel appears under its name only whole (built under a private name, InitState published, then linked:
        // "Lifetime"), so an opener never races its creator: a header not ready here never will be (a creator of
        // another kind died, or a peer planted the file). It is refused at once; waiting for it would let any process
        // that can write the directory stall every opener it names the file to (a server reading connect records).
        length = SegmentFile.SizeOf(fd);
        prefix = new byte[(int)Math.Clamp(length, 0, SegmentGeometry.MaxHeaderSize)];
        int read = SegmentFile.ReadPrefix(fd, prefix);
        SegmentGeometry geometry = HeaderCodec.Validate(prefix.AsSpan(0, read), length, path);
        if (BitConverter.ToUInt32(prefix, 0x80) != ChannelHeader.InitStateReady)
        {
            throw new ChannelFormatException($"'{path}' cannot be opened as a channel: its creator never finished writing its header (it may have died while creating it). Remove the file and create the channel again.");
        }

        return geometry;
    }

    private void CheckSchema(MessageLayout? schema)
    {
        ulong expected = schema?.Fingerprint ?? 0;
        if (Geometry.Fingerprint == expected)
        {
            return;
        }

        // Another fingerprint may still be another version of the same message. The channel's text comes from a peer:
        // parsed with range checks, and a text that does not parse is simply not compatible.
        string differences = "";
        if (schema is not null && Geometry.Fingerprint != 0)
        {
            IReadOnlyList<string> problems =
                !MessageSchema.TryParse(Geometry.SchemaText, out MessageSchema? existing, out string? error) ? new[] { $"the channel's schema text does not parse: {error}" }
                : !MessageSchema.TryParse(schema.SchemaText, out MessageSchema? opening, out error) ? new[] { $"this side's schema text does not parse: {error}" }
                : MessageSchema.CheckCompatible(opening, existing);
            if (problems.Count == 0)
            {
                return;
            }

            differences = $"Why they cannot share a channel:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}{Environment.NewLine}";
        }

        string expectedText = schema?.SchemaText ?? "(raw bytes: no schema)";
        string actualText = Geometry.Fingerprint == 0 ? "(raw bytes: no schema)" : Geometry.SchemaText;
        throw new ChannelSchemaMismatchException(
            $"Channel '{Name}' carries messages of another schema.{Environment.NewLine}" +
            differences +
            $"Opened with (fingerprint 0x{expected:X16}):{Environment.NewLine}{expectedText}{Environment.NewLine}" +
            $"Channel has (fingerprint 0x{Geometry.Fingerprint:X16}):{Environment.NewLine}{actualText}{Environment.NewLine}" +
            "Rebuild both sides with the same message definition (or versions of it that extend one another: docs/messages.md, \"Evolution\"), or use a new channel name.",
            expectedText, actualText);
    }

    /// <summary>
    /// Attaches under the lifecycle lock: a remover that got there first has marked the header Removed (and unlinked
    /// the path, or is about to), and then this segment is not the channel any more.
    /// </summary>
    private void Attach()
    {
        if (!ByteLocks.TryLockExclusive(_fd, LifecycleLockOffset, LifecyclePatience))
        {
            throw new SharedChannelException($"Cannot attach to channel '{Name}': {LifecycleLockKept(Path)}");
        }

        try
        {
            if (Volatile.Read(ref _fileHeader->Removed) != 0)
            {
                throw new ChannelNotFoundException($"Channel '{Name}' is being removed by its last participant. Create it again.");
            }

            ByteLocks.TryLockShared(_fd, AttachLockOffset);
            Interlocked.Increment(ref _fileHeader->AttachCount);
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

        // Under the lifecycle lock, so no one attaches between "nobody else is attached" and the unlink. A process that
        // keeps that lock past the patience (stopped, or hostile) is not waited for: this endpoint then leaves as one
        // that crashed does, deciding nothing (its attach lock goes with its descriptor), and if it was the last one
        // out, the first sweep after the lock is let go of removes the file.
        bool locked = ByteLocks.TryLockExclusive(_fd, LifecycleLockOffset, LifecyclePatience);
        ByteLocks.Unlock(_fd, AttachLockOffset);
        if (locked && !_keep && !ByteLocks.IsLockedByOther(_fd, AttachLockOffset))
        {
            // The last one out: nobody else can move the positions now, so they are final. A completed SPSC or MPSC
            // stream with messages unread is held for its reader if no reader has attached yet (a writer may write,
            // complete and exit before its reader starts: a one-way hand-off). Once a reader has held the reader row
            // (its generation counts every acquisition), what it left unread is not held: it chose to leave, or died,
            // and a file kept then would be kept for nobody. A stream left open or faulted is not a hand-off, a duplex
            // file goes with both sides, and broadcast messages are promised only to subscribers attached when they
            // were written: those go as before.
            bool unread = IsCompletedStreamWithUnread(Header, Geometry)
                && Volatile.Read(ref Row(Geometry.Topology == ChannelTopology.MultiProducerSingleConsumer
                    ? ParticipantTable.MpscReaderRow : ParticipantTable.SpscReaderRow)->Generation) == 0;
            Volatile.Write(ref _fileHeader->HeldForReader, unread ? 1 : 0);
            if (!unread)
            {
                Volatile.Write(ref _fileHeader->Removed, 1);
                LibC.Unlink(Path);
            }
        }

        if (locked)
        {
            ByteLocks.Unlock(_fd, LifecycleLockOffset);
        }

        _mapping.CloseWithMapping(_fd);
        _mapping.Dispose();
    }

    /// <summary>
    /// Whether <paramref name="header"/> shows a one-way (SPSC or MPSC, not duplex) stream completed without error
    /// with bytes still unread: what a last participant out may hold for a reader, and what the sweep still keeps.
    /// </summary>
    public static bool IsCompletedStreamWithUnread(ChannelHeader* header, SegmentGeometry geometry) =>
        geometry.Topology != ChannelTopology.Broadcast && !geometry.IsDuplex
        && Volatile.Read(ref header->Completion) == CompletionState.Completed
        // One-way topologies read no participant row for this: the table is not needed.
        && Metrics.RingOccupancy.UsedBytes(header, null, 0, geometry.Topology, geometry.Capacity) > 0;
}
