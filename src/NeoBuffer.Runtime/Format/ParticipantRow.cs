using System.Runtime.InteropServices;

namespace NeoBuffer.Format;

/// <summary>
/// One row of the participant table (docs/format.md, "Participant table"): who holds a role in the channel and the
/// proof that it is alive. Which role takes which row: <see cref="ParticipantTable"/>.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
internal struct ParticipantRow
{
    public const int Size = 128;

    public const int StateFree = 0;
    public const int StateAcquiring = 1;
    public const int StateActive = 2;

    public const int KindProducer = 1;
    public const int KindConsumer = 2;

    public const int ModeTethered = 1;
    public const int ModeLossy = 2;

    /// <summary>
    /// MPSC writer: it is completing the channel. Stored before its CAS that closes <see cref="ChannelHeader.ClaimTail"/>
    /// and cleared only once Completion is stored, so a consumer that finds the counter closed and no completion knows
    /// which writer owes it (docs/format.md, "MPSC protocol", Completion). A field of its own, not a form of the claim
    /// announcement (Position, ClaimEnd): a writer may complete with a claim still open, whose announcement must stay.
    /// </summary>
    public const int ModeClosing = 3;

    [FieldOffset(0x00)] public int State;
    [FieldOffset(0x04)] public int Kind;
    [FieldOffset(0x08)] public int Mode;            // broadcast subscribers: ModeTethered or ModeLossy; MPSC writers: ModeClosing or 0
    [FieldOffset(0x0C)] public int Pid;
    [FieldOffset(0x10)] public ulong StartTime;     // with Pid: the liveness proof
    [FieldOffset(0x18)] public ulong Generation;    // bumped on every acquisition, so a stale holder can tell it was replaced
    [FieldOffset(0x20)] public ulong PidNamespace;  // inode of the holder's pid namespace (/proc/self/ns/pid): the namespace its Pid is a pid of
    [FieldOffset(0x40)] public long Position;       // broadcast subscriber: read position; MPSC producer: open claim or -1
    [FieldOffset(0x48)] public int Wake;            // reserved: a per-subscriber futex
    [FieldOffset(0x50)] public long Lost;           // lossy subscriber: records it lost so far
    [FieldOffset(0x58)] public long ClaimEnd;       // MPSC writer: end of the claim at Position; MPSC reader: end of the record it is consuming

    // ---- The holder's counters: zeroed when the row is claimed, then written by the holder alone with plain stores ----
    // In the second 64-byte line of the row, whose every field only the holder writes, so a counter store never takes
    // a line from another process. Other processes (the meter, tools) only read them: an aligned 64-bit load is never
    // torn on x86-64 and arm64, and a reading may lag a few messages behind.
    [FieldOffset(0x60)] public long Messages;       // writer: messages committed; reader, subscriber: messages read
    [FieldOffset(0x68)] public long Bytes;          // their payload bytes
    [FieldOffset(0x70)] public long ParkedWaits;    // waits that parked on the futex
    // 0x78..0x7F reserved, zero.
}
