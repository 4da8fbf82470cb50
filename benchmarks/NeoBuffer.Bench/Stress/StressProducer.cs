using System;
using NeoBuffer.Bench.Checks;

namespace NeoBuffer.Bench.Stress;

/// <summary>The child that writes one producer's stream of tagged records into an MPSC channel.</summary>
internal static class StressProducer
{
    public const string Verb = "stress-produce";

    /// <summary>How long one claim may wait for room before the run is declared hung.</summary>
    public static readonly TimeSpan ClaimBound = TimeSpan.FromSeconds(60);

    /// <summary><c>DIRECTORY NAME PRODUCER COUNT</c>: joins as one more writer and writes COUNT records, then leaves.</summary>
    public static void Produce(string[] args)
    {
        long producer = long.Parse(args[2]);
        long count = long.Parse(args[3]);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] });
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            WriteClaim claim = writer.Claim(TaggedRecord.LengthOf(producer, sequence), ClaimBound);
            TaggedRecord.Fill(claim.Payload, producer, sequence);
            claim.Commit();
        }

        // Dispose, not Complete: in MPSC one writer's Complete would close the channel for every other writer.
    }
}
