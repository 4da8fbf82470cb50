using System;

using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>The child that writes one producer's stream of tagged records into an MPSC channel.</summary>
internal sealed class StressProducer : IHostCommand
{
    public const string Verb = "stress-produce";

    public string Name => Verb;

    /// <summary>Runs it under the parent watch: the child ends when the run that started it does.</summary>
    public int Run(string[] args)
    {
        ParentWatch.Start();
        Produce(args);
        return 0;
    }

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
