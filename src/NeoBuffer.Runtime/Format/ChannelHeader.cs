using System.Runtime.InteropServices;

namespace NeoBuffer.Format;

/// <summary>
/// The first bytes of every segment, as they lie in shared memory (docs/format.md, "Header page").
/// The identity block is written once by the creator before <see cref="InitState"/> is published; the hot counters
/// each sit on their own 128-byte line so the producer's and the consumer's stores never share a cache line (two lines,
/// because adjacent-line prefetch on x86 pulls lines in pairs).
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct ChannelHeader
{
    public const int Size = 0x800;
    public const ulong MagicValue = 0x3152_4655_424F_454E; // "NEOBUFR1" read little-endian
    public const uint CurrentFormatVersion = 3;
    public const uint EndianMarkerValue = 0x0102_0304;
    public const uint InitStateReady = 0x5245_4144; // "READ(Y)"
    public const int ChecksummedBytes = 0x78;

    /// <summary>Bytes of <see cref="CompletionError"/>: the longest completion reason, in UTF-8.</summary>
    public const int CompletionErrorCapacity = 248;

    /// <summary><see cref="Flags"/> bit: the creator asked to keep the segment when its participants are gone.</summary>
    public const uint FlagKeep = 1;

    /// <summary>
    /// <see cref="Flags"/> bit: the first ring of a duplex channel. A second ring's image (header and ring) follows this
    /// one's in the file, <see cref="PairedImageLength"/> bytes long; this header's lifecycle words serve the whole file.
    /// </summary>
    public const uint FlagDuplex = 2;

    /// <summary><see cref="Flags"/> bit: the second ring of a duplex channel, placed right after the first ring's image.</summary>
    public const uint FlagDuplexSecond = 4;

    // ---- Identity block (immutable once InitState is Ready; covered by IdentityChecksum) ----
    [FieldOffset(0x00)] public ulong Magic;
    [FieldOffset(0x08)] public uint FormatVersion;
    [FieldOffset(0x0C)] public uint EndianMarker;
    [FieldOffset(0x10)] public uint HeaderSize;
    [FieldOffset(0x14)] public uint Topology;
    [FieldOffset(0x18)] public ulong Capacity;
    [FieldOffset(0x20)] public uint MaxPayloadSize;
    [FieldOffset(0x24)] public uint ParticipantRows;
    [FieldOffset(0x28)] public ulong Fingerprint;
    [FieldOffset(0x30)] public uint SchemaOffset;
    [FieldOffset(0x34)] public uint SchemaLength;
    [FieldOffset(0x38)] public uint ParticipantTableOffset;
    [FieldOffset(0x3C)] public uint ParticipantRowSize;
    [FieldOffset(0x40)] public ulong DataOffset;
    [FieldOffset(0x48)] public int CreatorPid;
    [FieldOffset(0x4C)] public uint Flags;
    [FieldOffset(0x50)] public ulong CreatorStartTime;
    [FieldOffset(0x58)] public long CreatedUnixTimeMs;
    [FieldOffset(0x60)] public uint SchemaNameLength; // reserved for tools; 0
    // 0x64..0x67 reserved, zero.
    [FieldOffset(0x68)] public ulong PairedImageLength; // FlagDuplex: bytes of the second ring's image after this one; else 0
    // 0x70..0x77 reserved, zero.
    [FieldOffset(0x78)] public ulong IdentityChecksum; // FNV-1a 64 over bytes [0x00, 0x78) and the schema text

    // ---- Lifecycle line ----
    [FieldOffset(0x80)] public uint InitState;      // InitStateReady, release-stored last by the creator
    [FieldOffset(0x84)] public int AttachCount;     // participants that attached, for tools (the attach locks decide)
    [FieldOffset(0x88)] public int FencedPublication; // 1 (sticky) once a participant without membarrier attached: publishers fence
    [FieldOffset(0x8C)] public int Removed;         // 1 once a remover decided to unlink the file (under the lifecycle lock)
    [FieldOffset(0x90)] public int HeldForReader;   // 1 while the last one out left a completed stream unread (SPSC, MPSC): no sweep removes it while the header still shows bytes unread
    [FieldOffset(0x98)] public long ConnectToken;   // a request/response client's response ring: the random token of its connect record, stamped by the client before it sends the record; else 0

    // ---- Hot counters, one per 128-byte line ----
    [FieldOffset(0x100)] public long Tail;          // producer: next position to write; broadcast: the commit; SPSC: informative (records commit by their header)
    [FieldOffset(0x108)] public long TailSequence;  // broadcast: sequence number of the record that will start at Tail
    [FieldOffset(0x110)] public long TailVersion;   // broadcast: seqlock over (Tail, TailSequence); odd while they change
    [FieldOffset(0x180)] public long Head;          // consumer (SPSC/MPSC): next position to read
    [FieldOffset(0x200)] public int ReaderWake;     // futex: non-zero while a consumer is parked or about to park
    [FieldOffset(0x280)] public int WriterWake;     // futex: non-zero while a producer is parked or about to park
    [FieldOffset(0x300)] public int Completion;     // CompletionState
    [FieldOffset(0x304)] public int CompletionErrorLength;
    [FieldOffset(0x308)] public CompletionErrorText CompletionError; // UTF-8, up to CompletionErrorCapacity bytes
    [FieldOffset(0x400)] public long TailIntent;    // broadcast: end of the producer's latest claim; bytes below TailIntent - Capacity may be overwritten
    [FieldOffset(0x480)] public long ClaimTail;     // MPSC: the claim counter producers advance by CAS
    [FieldOffset(0x500)] public long Oldest;        // broadcast: start of the oldest record not yet overwritten
    [FieldOffset(0x580)] public long JoinEpoch;     // broadcast: bumped by every tethered subscriber that joins
    // 0x600..0x7FF reserved for later counters (zero).

    [System.Runtime.CompilerServices.InlineArray(CompletionErrorCapacity)]
    public struct CompletionErrorText
    {
        private byte _element;
    }
}

/// <summary>Values of <see cref="ChannelHeader.Completion"/>.</summary>
internal static class CompletionState
{
    public const int Open = 0;
    public const int Completed = 1;
    public const int Faulted = 2;

    /// <summary>Faulted, its reason still being written by the completion that won (Faulted follows, release-stored).</summary>
    public const int Faulting = 3;
}
