using System;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>mpsc-produce DIR NAME PRODUCER COUNT MAXLEN</c>: joins an MPSC channel as one more writer and writes COUNT
/// sequenced records tagged with PRODUCER (record key = PRODUCER * 10^12 + sequence).
/// </summary>
internal sealed class MpscProduce : IHostCommand
{
    public string Name => "mpsc-produce";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long producer = long.Parse(args[2]);
        long count = long.Parse(args[3]);
        int maxLength = int.Parse(args[4]);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], options);
        Console.WriteLine("ready");
        for (long sequence = 0; sequence < count; sequence++)
        {
            long key = ProducerKey.Of(producer, sequence);
            WriteClaim claim = writer.Claim(SequencedRecord.LengthOf(key, maxLength), TimeSpan.FromSeconds(60));
            SequencedRecord.Fill(claim.Payload, key);
            claim.Commit();
        }

        return 0;
    }
}
