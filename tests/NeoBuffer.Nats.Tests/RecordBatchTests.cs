using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// The batch body format on its own, no server: what the outbound bridge gathers splits back into the same records,
/// and on damaged or hostile bodies the inbound bridge's split agrees with a parser written here from docs/nats.md.
/// </summary>
public sealed class RecordBatchTests
{
    [Theory]
    [InlineData(64)]
    [InlineData(4096)]
    [InlineData(32 << 10)]
    public void What_is_gathered_splits_back_into_the_same_records_in_order(int capacity)
    {
        var random = new Random(capacity);
        using var batch = new RecordBatch(capacity);
        for (int round = 0; round < 200; round++)
        {
            var records = new List<byte[]>();
            while (true)
            {
                byte[] record = new byte[random.Next(0, Math.Max(1, capacity / 4 - 8))];
                random.NextBytes(record);
                if (!batch.Gathers(record.Length) || !batch.TryAdd(record))
                {
                    break;
                }

                records.Add(record);
            }

            if (records.Count == 0)
            {
                continue;
            }

            byte[] message = batch.MessageWith(new Envelope(EnvelopeKind.Batch, 7, 1, batch.Count)).ToArray();
            Assert.True(message.Length - Envelope.Size <= capacity);
            Assert.Equal(records.Sum(r => (long)r.Length), batch.RecordBytes);
            var split = new ReadOnlyMemory<byte>[1];
            Assert.Null(RecordBatch.TrySplit(message.AsMemory(Envelope.Size), records.Count, ref split));
            Assert.Equal(records, split.Take(records.Count).Select(m => m.ToArray()));
            Assert.Equal(records[0], batch.First.ToArray());
            batch.Clear();
        }
    }

    [Fact]
    public void Damaged_bodies_are_split_exactly_as_the_documented_format_allows_and_never_read_out_of_bounds()
    {
        var random = new Random(20261201);
        var split = new ReadOnlyMemory<byte>[1];
        int accepted = 0, refused = 0;
        for (int round = 0; round < 20_000; round++)
        {
            byte[] body = Body(random, random.Next(1, 6), out int count);
            switch (random.Next(4))
            {
                case 0:
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                    break;
                case 1:
                    body = body[..random.Next(body.Length + 1)];
                    break;
                case 2:
                    count += random.Next(-2, 3);
                    break;
                case 3:
                    BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan(0), random.Next(2) == 0 ? int.MaxValue - random.Next(8) : -random.Next(1, 9));
                    break;
            }

            List<(int Offset, int Length)>? expected = Reference(body, count);
            string? problem = RecordBatch.TrySplit(body, count, ref split);
            if (expected is null)
            {
                Assert.NotNull(problem);
                refused++;
                continue;
            }

            Assert.Null(problem);
            accepted++;
            for (int i = 0; i < count; i++)
            {
                Assert.True(body.AsMemory(expected[i].Offset, expected[i].Length).Span.SequenceEqual(split[i].Span), $"record {i} of round {round}");
            }
        }

        Assert.True(accepted > 1000 && refused > 1000, $"{accepted} accepted, {refused} refused: the damage should produce both");
    }

    // A well-framed body of 'count' random records.
    private static byte[] Body(Random random, int count, out int records)
    {
        records = count;
        var body = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            int length = random.Next(0, 40);
            body.AddRange(BitConverter.GetBytes(length));
            body.AddRange(new byte[4]);
            byte[] record = new byte[length];
            random.NextBytes(record);
            body.AddRange(record);
            body.AddRange(new byte[((length + 7) & ~7) - length]);
        }

        return body.ToArray();
    }

    // docs/nats.md, "Wire format", read as plainly as possible: count records, each a length, four zero bytes, the
    // bytes, zeros to a multiple of 8; nothing else. Null when the body is not exactly that.
    private static List<(int Offset, int Length)>? Reference(byte[] body, int count)
    {
        if (count < 1)
        {
            return null;
        }

        var records = new List<(int, int)>();
        long at = 0;
        for (int i = 0; i < count; i++)
        {
            if (at + 8 > body.Length)
            {
                return null;
            }

            long length = BitConverter.ToInt32(body, (int)at);
            if (length < 0 || BitConverter.ToInt32(body, (int)at + 4) != 0)
            {
                return null;
            }

            long padded = (length + 7) / 8 * 8;
            if (at + 8 + padded > body.Length)
            {
                return null;
            }

            for (long p = at + 8 + length; p < at + 8 + padded; p++)
            {
                if (body[p] != 0)
                {
                    return null;
                }
            }

            records.Add(((int)at + 8, (int)length));
            at += 8 + padded;
        }

        return at == body.Length ? records : null;
    }
}
