using System;


namespace NeoBuffer.Testing;

/// <summary>
/// The layout of the hostile run's <see cref="SharedCounters"/>: the current channel generation (the producer moves to
/// a fresh channel now and then, and everyone follows), and per participant a heartbeat (<see cref="Environment.TickCount64"/>,
/// system-wide) with its counts, and its phase: which call into the channel it is making (and on which generation), so
/// a participant whose heartbeat stopped says where it stopped. The parent reads it all while the children run, and
/// after it kills them.
/// </summary>
public static class HostileBoard
{
    public const int Generation = 0;
    public const int HostileWrites = 1;

    /// <summary>Participant 0 is the producer, 1.. the readers.</summary>
    public const int MaxParticipants = 16;

    public const int FieldsPerParticipant = 6;
    public const int Heartbeat = 0;
    public const int Reads = 1;
    public const int Errors = 2;
    public const int BadChecksums = 3;
    public const int Phase = 4;
    public const int PhaseGeneration = 5;

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

    /// <summary>What a participant is doing, stored with each heartbeat: index into <see cref="PhaseNames"/>.</summary>
    public static readonly string[] PhaseNames =
    [
        "starting", "OpenReader", "TryRead (ReadAvailable)", "WaitToRead", "Dispose of the reader", "CreateWriter",
        "Claim", "Commit", "TryComplete", "Dispose of the writer", "deleting an old segment",
    ];

    public const int Starting = 0;
    public const int Opening = 1;
    public const int Reading = 2;
    public const int Waiting = 3;
    public const int DisposingReader = 4;
    public const int Creating = 5;
    public const int Claiming = 6;
    public const int Committing = 7;
    public const int Completing = 8;
    public const int DisposingWriter = 9;
    public const int Deleting = 10;

    /// <summary>
    /// A heartbeat, with the call the participant is about to make and on which channel generation: the phase first,
    /// the beat last, so a beat the parent sees is never older than the phase next to it.
    /// </summary>
    public static void Beat(SharedCounters board, int participant, int phase, long generation)
    {
        board.Write(Slot(participant, Phase), phase);
        board.Write(Slot(participant, PhaseGeneration), generation);
        board.Write(Slot(participant, Heartbeat), Environment.TickCount64);
    }

    /// <summary>Where <paramref name="participant"/> last said it was: "WaitToRead on generation 12".</summary>
    public static string Where(SharedCounters board, int participant)
    {
        long phase = board.Read(Slot(participant, Phase));
        string name = phase >= 0 && phase < PhaseNames.Length ? PhaseNames[phase] : $"phase {phase}";
        return $"{name} on generation {board.Read(Slot(participant, PhaseGeneration))}";
    }
}
