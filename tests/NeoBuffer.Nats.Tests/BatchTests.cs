using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// Core mode's batches (NatsForwardOptions.MaxBatchBytes): what the outbound bridge gathers, the bytes on the wire, and
/// what the inbound bridge does with a batch that is not one a bridge writes.
/// </summary>
public sealed class BatchTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Fact]
    public async Task Records_waiting_together_leave_in_one_message_framed_as_documented()
    {
        string subject = Bridges.NewSubject("batch");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await using INatsSub<byte[]> sub = await Bridges.TapAsync(nats, subject, cts.Token);

        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1, 8);
        near.Writer.Complete();
        NatsBridgeStatistics forwarded = await NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token);
        Assert.Equal(8, forwarded.Messages);

        // docs/nats.md, "Wire format": 'N' 'B', version 1, kind 2, the record count, fingerprint, first sequence; then
        // each record as its length, four zero bytes, its bytes, zeros to a multiple of 8.
        byte[] batch = (await sub.Msgs.ReadAsync(cts.Token)).Data!;
        Assert.Equal(new byte[] { (byte)'N', (byte)'B', 1, 2 }, batch[..4]);
        Assert.Equal(8, BinaryPrimitives.ReadInt32LittleEndian(batch.AsSpan(4)));
        Assert.Equal(Reading.Layout.Fingerprint, BinaryPrimitives.ReadUInt64LittleEndian(batch.AsSpan(8)));
        Assert.Equal(1L, BinaryPrimitives.ReadInt64LittleEndian(batch.AsSpan(16)));
        int offset = 24;
        for (long i = 1; i <= 8; i++)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(batch.AsSpan(offset));
            Assert.Equal(0, BinaryPrimitives.ReadInt32LittleEndian(batch.AsSpan(offset + 4)));
            var view = new Reading.View(batch.AsSpan(offset + 8, length));
            Assert.Equal(i, view.Sequence);
            Assert.Equal(Bridges.LabelOf(i), view.Label);
            int padded = (length + 7) & ~7;
            Assert.All(batch[(offset + 8 + length)..(offset + 8 + padded)], b => Assert.Equal(0, b));
            offset += 8 + padded;
        }

        Assert.Equal(batch.Length, offset);
        byte[] end = (await sub.Msgs.ReadAsync(cts.Token)).Data!;
        Assert.Equal(1, end[3]);
        Assert.Equal(8L, BinaryPrimitives.ReadInt64LittleEndian(end.AsSpan(16))); // the run's record count
    }

    [Fact]
    public async Task A_record_too_large_to_gather_leaves_alone_and_the_order_on_the_wire_is_the_channels()
    {
        string subject = Bridges.NewSubject("large");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await using INatsSub<byte[]> sub = await Bridges.TapAsync(nats, subject, cts.Token);

        // A 4 KiB batch gathers records of up to 1 KiB (a quarter, frame included). The 4000-byte record after two
        // small ones no longer fits their batch and follows it alone; the 2000-byte one joins the small one before it,
        // and the last no longer fits theirs either.
        int[] lengths = [100, 100, 4000, 100, 2000, 4000];
        string name = Bridges.NewName("large");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name);
        using SharedChannelReader reader = SharedChannel.OpenReader(name);
        for (int i = 0; i < lengths.Length; i++)
        {
            writer.Write(Filled(lengths[i], (byte)(i + 1)));
        }

        writer.Complete();
        NatsBridgeStatistics forwarded = await NatsBridge.ForwardAsync(reader, nats, subject, new NatsForwardOptions { MaxBatchBytes = 4096 }, cts.Token);
        Assert.Equal(lengths.Length, forwarded.Messages);

        var messages = new List<(int Kind, long Sequence, int[] Lengths, byte[] Marks)>();
        while (true)
        {
            byte[] message = (await sub.Msgs.ReadAsync(cts.Token)).Data!;
            if (message[3] == 1)
            {
                break;
            }

            long sequence = BinaryPrimitives.ReadInt64LittleEndian(message.AsSpan(16));
            byte[][] records = message[3] == 2 ? Split(message) : [message[24..]];
            messages.Add((message[3], sequence, records.Select(r => r.Length).ToArray(), records.Select(r => r[0]).ToArray()));
        }

        Assert.Equal(4, messages.Count);
        Assert.Equal((2, 1L), (messages[0].Kind, messages[0].Sequence));
        Assert.Equal([100, 100], messages[0].Lengths);
        Assert.Equal((0, 3L), (messages[1].Kind, messages[1].Sequence));
        Assert.Equal([4000], messages[1].Lengths);
        Assert.Equal((2, 4L), (messages[2].Kind, messages[2].Sequence));
        Assert.Equal([100, 2000], messages[2].Lengths);
        Assert.Equal((0, 6L), (messages[3].Kind, messages[3].Sequence));
        Assert.Equal([1, 2, 3, 4, 5, 6], messages.SelectMany(m => m.Marks).ToArray());
    }

    [Fact]
    public async Task A_batch_is_never_larger_than_the_server_takes()
    {
        string subject = Bridges.NewSubject("max-payload");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        await using INatsSub<byte[]> sub = await Bridges.TapAsync(nats, subject, cts.Token);

        // The server's default max_payload is 1 MiB; four records of a quarter of MaxBatchBytes = 1 MiB each would
        // make a 1 MiB body, plus the envelope: 24 bytes more than the server takes.
        int maxPayload = nats.ServerInfo!.MaxPayload;
        int quarter = (1 << 20) / 4 - 8;
        string name = Bridges.NewName("max-payload");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name, new SharedChannelOptions { Capacity = 4 << 20 });
        using SharedChannelReader reader = SharedChannel.OpenReader(name);
        for (int i = 0; i < 4; i++)
        {
            writer.Write(Filled(quarter, (byte)(i + 1)));
        }

        writer.Complete();
        NatsBridgeStatistics forwarded = await NatsBridge.ForwardAsync(reader, nats, subject, new NatsForwardOptions { MaxBatchBytes = 1 << 20 }, cts.Token);
        Assert.Equal((4, 0L), (forwarded.Messages, forwarded.Dropped));
        var marks = new List<byte>();
        while (marks.Count < 4)
        {
            byte[] message = (await sub.Msgs.ReadAsync(cts.Token)).Data!;
            Assert.True(message.Length <= maxPayload, $"a {message.Length}-byte message against a max_payload of {maxPayload}");
            marks.AddRange(message[3] == 2 ? Split(message).Select(r => r[0]) : [message[24]]);
        }

        Assert.Equal([1, 2, 3, 4], marks);
    }

    [Fact]
    public async Task Batches_cross_byte_exact_and_the_inbound_bridge_writes_their_records_in_order()
    {
        const int count = 20_000;
        string subject = Bridges.NewSubject("batches");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        using var far = new LocalChannel<Reading>("far", new SharedChannelOptions { Capacity = 64 << 10 });
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, far.Writer, o, cts.Token), new NatsReceiveOptions());

        // Written before the bridge starts: the first batches are full, and the far ring (64 KiB) fills behind them.
        using var near = new LocalChannel<Reading>("near", new SharedChannelOptions { Capacity = 4 << 20 });
        Bridges.WriteReadings(near.Writer, 1, count, cts.Token);
        near.Writer.Complete();
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token));

        List<long> sequences = await Task.Run(() => Bridges.ReadReadings(far.Reader)).WaitAsync(Bridges.Bound);
        NatsBridgeStatistics forwarded = await forward.WaitAsync(Bridges.Bound);
        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound);
        Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), sequences);
        Assert.Equal(count, forwarded.Messages);
        Assert.Equal(count, received.Messages);
        Assert.Equal(forwarded.Bytes, received.Bytes);
        Assert.Equal(0, received.Rejected + received.Malformed + received.Dropped);
    }

    [Fact]
    public async Task A_batch_that_is_not_one_a_bridge_writes_is_refused_whole_and_a_bad_record_in_a_good_one_alone()
    {
        string subject = Bridges.NewSubject("bad-batch");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        using var far = new LocalChannel<Reading>("far");
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, far.Writer, o, cts.Token), new NatsReceiveOptions());

        byte[] one = ReadingRecord(101), two = ReadingRecord(102);
        ulong fingerprint = Reading.Layout.Fingerprint;
        byte[] good = Batched(fingerprint, 1, one, two);
        // A reading whose length is not a multiple of 8, so that its frame ends in padding.
        byte[] padded = Enumerable.Range(110, 20).Select(i => ReadingRecord(i)).First(r => r.Length % 8 != 0);
        var broken = new List<byte[]>
        {
            WithCount(good, 0),
            WithCount(good, 3),                      // says three, carries two
            WithCount(good, 1),                      // says one, carries two: bytes left over
            WithCount(good, int.MaxValue),
            WithCount(good, -1),
            good[..^8],                              // the end cut off
            good[..^(8 + two.Length)],               // the last record cut off, its frame left
            good.Concat(new byte[8]).ToArray(),      // bytes after the last record
            Patched(good, 24, BitConverter.GetBytes(int.MaxValue)),   // a length past the end
            Patched(good, 24, BitConverter.GetBytes(-8)),             // a negative length
            Patched(good, 28, [1]),                                    // a non-zero reserved word
            Patched(Batched(fingerprint, 1, padded), 24 + 8 + padded.Length, [9]),   // non-zero padding
        };
        foreach (byte[] message in broken)
        {
            await nats.PublishAsync(subject, message, cancellationToken: cts.Token);
        }

        // Well framed, with a record too short for Reading between two good ones: only that one is refused.
        await nats.PublishAsync(subject, Batched(fingerprint, 1, one, new byte[5], two), cancellationToken: cts.Token);
        // Another schema's batch: its records are counted as refused, by the count it gives. A record message with a
        // count (only a batch has one) is not one a bridge writes: refused too.
        await nats.PublishAsync(subject, Batched(fingerprint ^ 1, 1, one, two, one), cancellationToken: cts.Token);
        await nats.PublishAsync(subject, Patched(Bridges.Enveloped(fingerprint, one), 4, BitConverter.GetBytes(5)), cancellationToken: cts.Token);

        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1, 2);
        near.Writer.Complete();
        await NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token);

        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound);
        Assert.Equal([101L, 102L, 1L, 2L], Bridges.ReadReadings(far.Reader));
        Assert.Equal(broken.Count + 1, received.Malformed);
        Assert.Equal(3 + 1, received.Rejected);
        Assert.Equal(4, received.Messages);
    }

    [Fact]
    public async Task Random_damage_to_a_batch_never_writes_a_record_the_check_refuses_and_never_stops_the_bridge()
    {
        string subject = Bridges.NewSubject("fuzz-batch");
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound);
        using var far = new LocalChannel<Reading>("far", new SharedChannelOptions { Capacity = 1 << 20 });
        Task<NatsBridgeStatistics> receive = await Bridges.StartReceiveAsync(
            o => NatsBridge.ReceiveAsync(nats, subject, far.Writer, o, cts.Token), new NatsReceiveOptions());

        byte[] good = Batched(Reading.Layout.Fingerprint, 1, ReadingRecord(1), ReadingRecord(2), ReadingRecord(3));
        var random = new Random(20261201);
        for (int round = 0; round < 300; round++)
        {
            byte[] damaged = good.ToArray();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                damaged[random.Next(Envelope.Size - 20, damaged.Length)] = (byte)random.Next(256); // count, fingerprint, sequence, body
            }

            await nats.PublishAsync(subject, damaged[..random.Next(Envelope.Size, damaged.Length + 1)], cancellationToken: cts.Token);
        }

        using var near = new LocalChannel<Reading>("near");
        Bridges.WriteReadings(near.Writer, 1000, 1001);
        near.Writer.Complete();
        await NatsBridge.ForwardAsync(near.Reader, nats, subject, cancellationToken: cts.Token);

        // Damage the checks cannot see (a changed sample, say) may get through, but only as records whose every
        // variable-length field lies inside them; and the bridge still delivered the last two after all that.
        NatsBridgeStatistics received = await receive.WaitAsync(Bridges.Bound);
        var sequences = new List<long>();
        while (far.Reader.TryLease(out MessageLease<Reading> lease))
        {
            using (lease)
            {
                var view = new Reading.View(lease);
                _ = view.Label;
                _ = view.Samples.ToArray();
                sequences.Add(view.Sequence);
            }
        }

        Assert.Equal([1000L, 1001L], sequences[^2..]);
        Assert.True(received.Malformed + received.Rejected > 0, received.ToString());
    }

    private static byte[] Filled(int length, byte mark)
    {
        byte[] record = new byte[length];
        Array.Fill(record, mark);
        return record;
    }

    // A batch message by the documented format, written here by hand rather than by the bridge's own code.
    private static byte[] Batched(ulong fingerprint, long sequence, params byte[][] records)
    {
        var message = new List<byte> { (byte)'N', (byte)'B', 1, 2 };
        message.AddRange(BitConverter.GetBytes(records.Length));
        message.AddRange(BitConverter.GetBytes(fingerprint));
        message.AddRange(BitConverter.GetBytes(sequence));
        foreach (byte[] record in records)
        {
            message.AddRange(BitConverter.GetBytes(record.Length));
            message.AddRange(new byte[4]);
            message.AddRange(record);
            message.AddRange(new byte[((record.Length + 7) & ~7) - record.Length]);
        }

        return message.ToArray();
    }

    private static byte[][] Split(byte[] message)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(message.AsSpan(4));
        var records = new byte[count][];
        int offset = 24;
        for (int i = 0; i < count; i++)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(message.AsSpan(offset));
            records[i] = message[(offset + 8)..(offset + 8 + length)];
            offset += 8 + ((length + 7) & ~7);
        }

        Assert.Equal(message.Length, offset);
        return records;
    }

    private static byte[] WithCount(byte[] message, int count) => Patched(message, 4, BitConverter.GetBytes(count));

    private static byte[] Patched(byte[] message, int at, byte[] bytes)
    {
        byte[] patched = message.ToArray();
        bytes.CopyTo(patched, at);
        return patched;
    }

    // The bytes of reading <paramref name="sequence"/> as a channel holds them, taken from a real channel.
    private static byte[] ReadingRecord(long sequence)
    {
        using var channel = new LocalChannel<Reading>("record");
        Bridges.WriteReadings(channel.Writer, sequence, sequence);
        Assert.True(channel.Reader.Untyped.TryLease(out ReadLease lease));
        using (lease)
        {
            return lease.Payload.ToArray();
        }
    }
}
