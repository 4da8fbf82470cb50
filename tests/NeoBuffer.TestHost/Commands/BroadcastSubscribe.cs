using System;
using System.Buffers.Binary;
using System.Threading;
using NeoBuffer.Testing;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>bcast-subscribe DIR NAME tethered|lossy live|oldest MAXLEN STALL_EVERY STALL_MS STOP_AFTER</c>: subscribes and
/// reads sequenced records until the channel completes (or STOP_AFTER records, 0: never), stalling STALL_MS every
/// STALL_EVERY records (0: never). Checks every record it reads; prints
/// <c>received=R first=F last=L lost=X gaps=G</c>: what the channel reported lost (X) and what the sequence gaps say (G).
/// Exit code 0 when every record read was intact and in order.
/// </summary>
internal sealed class BroadcastSubscribe : IHostCommand
{
    public string Name => "bcast-subscribe";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions
        {
            Directory = args[0],
            SubscriberMode = args[2] == "lossy" ? SubscriberMode.Lossy : SubscriberMode.Tethered,
            SubscriberStart = args[3] == "oldest" ? SubscriberStart.Oldest : SubscriberStart.Live,
        };
        int maxLength = int.Parse(args[4]);
        int stallEvery = int.Parse(args[5]);
        int stallMs = int.Parse(args[6]);
        long stopAfter = long.Parse(args[7]);
        using SharedChannelReader reader = SharedChannel.OpenReader(args[1], options);
        Console.WriteLine("ready");

        long received = 0, first = -1, last = -1, gaps = 0, torn = 0;
        while (reader.WaitToRead(TimeSpan.FromSeconds(60)))
        {
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    long sequence = lease.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(lease.Payload) : -1;
                    string? error = SequencedRecord.Verify(lease.Payload, sequence, maxLength);
                    if (lease.IsOverwritten)
                    {
                        torn++; // a lossy lease overwritten while held: its bytes are not to be trusted
                        continue;
                    }

                    if (error is not null)
                    {
                        Console.Error.WriteLine(error);
                        return 1;
                    }

                    if (last >= 0 && sequence <= last)
                    {
                        Console.Error.WriteLine($"record {sequence} after {last}: reordered or duplicated");
                        return 1;
                    }

                    gaps += last >= 0 ? sequence - last - 1 : 0;
                    first = first < 0 ? sequence : first;
                    last = sequence;
                    received++;
                }

                if (stallEvery > 0 && received % stallEvery == 0)
                {
                    Thread.Sleep(stallMs);
                }

                if (stopAfter > 0 && received >= stopAfter)
                {
                    Console.WriteLine($"received={received} first={first} last={last} lost={reader.LostMessages} gaps={gaps} torn={torn}");
                    return 0;
                }
            }
        }

        Console.WriteLine($"received={received} first={first} last={last} lost={reader.LostMessages} gaps={gaps} torn={torn}");
        return 0;
    }
}
