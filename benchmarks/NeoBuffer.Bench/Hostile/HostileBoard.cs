using System;
using NeoBuffer.Bench.Harness;

namespace NeoBuffer.Bench.Hostile;

/// <summary>
/// The layout of the hostile run's <see cref="SharedCounters"/>: the current channel generation (the producer moves to
/// a fresh channel now and then, and everyone follows), and per participant a heartbeat (<see cref="Environment.TickCount64"/>,
/// system-wide) with its counts. The parent reads it all while the children run, and after it kills them.
/// </summary>
internal static class HostileBoard
{
    public const int Generation = 0;
    public const int HostileWrites = 1;

    /// <summary>Participant 0 is the producer, 1.. the readers.</summary>
    public const int MaxParticipants = 16;

    public const int FieldsPerParticipant = 4;
    public const int Heartbeat = 0;
    public const int Reads = 1;
    public const int Errors = 2;
    public const int BadChecksums = 3;

    /// <summary>Documented exceptions seen, by kind, summed over all participants.</summary>
    public static readonly Type[] ErrorKinds =
    [
        typeof(ChannelCorruptedException),
        typeof(MessageFormatException),
        typeof(System.Threading.Channels.ChannelClosedException),
        typeof(ChannelFormatException),
        typeof(ChannelNotFoundException),
        typeof(ChannelRoleTakenException),
    ];

    private const int ParticipantsStart = 8;
    private const int KindsStart = ParticipantsStart + (MaxParticipants * FieldsPerParticipant);

    public const int Size = KindsStart + 8;

    public static int Slot(int participant, int field) => ParticipantsStart + (participant * FieldsPerParticipant) + field;

    public static int KindSlot(int kind) => KindsStart + kind;

    public static string ChannelName(long generation) => $"hostile-{generation}";

    /// <summary>Counts a documented exception for <paramref name="participant"/>; false if <paramref name="error"/> is not documented.</summary>
    public static bool CountDocumented(SharedCounters board, int participant, Exception error)
    {
        int kind = Array.FindIndex(ErrorKinds, type => type.IsInstanceOfType(error));
        if (kind < 0)
        {
            return false;
        }

        board.Increment(Slot(participant, Errors));
        board.Increment(KindSlot(kind));
        return true;
    }

    public static void Beat(SharedCounters board, int participant) => board.Write(Slot(participant, Heartbeat), Environment.TickCount64);
}
