using System;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>sealed-read SOCKET MAXLEN</c>: receives the sealed channel served at SOCKET, prints <c>ready</c>, then reads and
/// checks sequenced records until the channel completes; prints <c>received=N</c>. On a broadcast channel this is a
/// subscriber whose ring data is mapped read-only. Exit code 0 when every record was intact and in order.
/// </summary>
internal sealed class SealedRead : IHostCommand
{
    public string Name => "sealed-read";

    public int Run(string[] args)
    {
        int maxLength = int.Parse(args[1]);
        using SharedChannelReader reader = SharedChannel.OpenSealedReader(args[0], null, TimeSpan.FromSeconds(60));
        Console.WriteLine("ready");
        long expected = 0;
        while (reader.WaitToRead(TimeSpan.FromSeconds(60)))
        {
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    string? error = SequencedRecord.Verify(lease.Payload, expected, maxLength);
                    if (error is not null)
                    {
                        Console.Error.WriteLine(error);
                        return 1;
                    }
                }

                expected++;
            }
        }

        Console.WriteLine($"received={expected}");
        return 0;
    }
}
