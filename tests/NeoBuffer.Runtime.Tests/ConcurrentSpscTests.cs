using System;
using System.Buffers.Binary;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A writer thread and a reader thread racing over one small ring with mixed small and large records, so that the
/// reader often polls the very header the writer is publishing, with and without padding in front of it.
/// </summary>
public sealed class ConcurrentSpscTests
{
    [Fact]
    public async Task Mixed_small_and_aligned_records_arrive_whole_while_the_reader_polls_the_tail()
    {
        long count = TestScale.Messages(full: 20_000_000, quick: 1_000_000);
        using var channel = new TestChannel("race");
        // The producer's endpoint is disposed only after the producer ended: a failed assertion below never unmaps under it.
        using var work = new BoundedWork();
        SharedChannelReader reader = work.Uses(SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 16384, maxMessageSize: 1300)));
        SharedChannelWriter writer = work.Uses(SharedChannel.OpenWriter(channel.Name, channel.Options()));
        TimeSpan bound = TimeSpan.FromMinutes(2);

        Task producer = work.Start(() =>
        {
            for (long sequence = 0; sequence < count; sequence++)
            {
                WriteClaim claim = writer.Claim(LengthOf(sequence), bound, work.Stopping);
                BinaryPrimitives.WriteInt64LittleEndian(claim.Payload, sequence);
                claim.Payload[^1] = (byte)sequence;
                claim.Commit();
            }

            writer.Complete();
        });

        long expected = 0;
        var deadline = Deadline.In(bound, $"reading {count} records");
        while (reader.WaitToRead(deadline.Remaining))
        {
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    ReadOnlySpan<byte> payload = lease.Payload;
                    Assert.Equal(LengthOf(expected), payload.Length);
                    Assert.Equal(expected, BinaryPrimitives.ReadInt64LittleEndian(payload));
                    Assert.Equal((byte)expected, payload[^1]);
                }

                expected++;
            }
        }

        await BoundedWork.Within(producer, bound, "the producer");
        Assert.Equal(count, expected);
    }

    [Fact]
    public async Task Aborted_and_shortened_claims_never_show_stale_bytes_to_a_reader_polling_the_tail()
    {
        long count = TestScale.Messages(full: 3_000_000, quick: 300_000);
        using var channel = new TestChannel("race");
        using var work = new BoundedWork();
        SharedChannelReader reader = work.Uses(SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 1500)));
        SharedChannelWriter writer = work.Uses(SharedChannel.OpenWriter(channel.Name, channel.Options()));
        TimeSpan bound = TimeSpan.FromMinutes(2);

        // Every claimed byte is written non-zero before the claim ends, so a zero header that is missing, or stored
        // after the header it should precede, shows as a record made of stale bytes (or as corruption).
        Task producer = work.Start(() =>
        {
            var random = new Random(3);
            for (long sequence = 0; sequence < count; sequence++)
            {
                if (random.Next(5) == 0)
                {
                    WriteClaim aborted = writer.Claim(random.Next(9, 1500), bound, work.Stopping);
                    aborted.Payload.Fill(0xA5);
                    aborted.Abort();
                }

                int length = random.Next(4) switch { 0 => random.Next(9, 16), 1 => random.Next(9, 1500), 2 => random.Next(1000, 1100), _ => random.Next(9, 128) };
                WriteClaim claim = writer.Claim(length, bound, work.Stopping);
                claim.Payload.Fill(0x5A);
                int committed = random.Next(2) == 0 ? length : random.Next(9, length + 1);
                BinaryPrimitives.WriteInt32LittleEndian(claim.Payload, committed);
                BinaryPrimitives.WriteInt32LittleEndian(claim.Payload[4..], (int)sequence);
                claim.Payload[committed - 1] = (byte)sequence;
                claim.Commit(committed);
            }

            writer.Complete();
        });

        long expected = 0;
        var deadline = Deadline.In(bound, $"reading {count} records");
        while (reader.WaitToRead(deadline.Remaining))
        {
            while (reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    ReadOnlySpan<byte> payload = lease.Payload;
                    Assert.True(payload.Length >= 9, $"record {expected}: {payload.Length} bytes");
                    Assert.Equal(payload.Length, BinaryPrimitives.ReadInt32LittleEndian(payload));
                    Assert.Equal((int)expected, BinaryPrimitives.ReadInt32LittleEndian(payload[4..]));
                    Assert.Equal((byte)expected, payload[^1]);
                }

                expected++;
            }
        }

        await BoundedWork.Within(producer, bound, "the producer");
        Assert.Equal(count, expected);
    }

    // Mostly small records, with every seventh between 1100 and 1300 bytes: those start on a cache line, so they
    // usually get alignment padding in front, and in a 16 KiB ring they often meet the wrap.
    private static int LengthOf(long sequence) => sequence % 7 == 3 ? 1100 + (int)(sequence * 37 % 201) : 9 + (int)(sequence % 40);
}
