using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Batch reads (<see cref="SharedChannelReader.TryReadBatch{THandler}(ref THandler, int)"/>) and batch writes
/// (<see cref="SharedChannelWriter.TryWriteBatch(ReadOnlySpan{ReadOnlyMemory{byte}})"/>) on every topology: every
/// message once, in order, across many laps of a small ring; and a writer waiting for room is never stranded by a
/// long batch.
/// </summary>
public sealed class BatchTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public void Batches_written_and_read_carry_every_message_once_in_order_across_many_laps(ChannelTopology topology)
    {
        using var channel = new TestChannel("batch");
        SharedChannelOptions options = channel.Options(capacity: 16384, maxMessageSize: 2048);
        options.Topology = topology;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());

        // Varied lengths (large ones are 64-aligned, so padding falls inside batches), written in batches of up to 40.
        const int Total = 6000;
        var messages = new ReadOnlyMemory<byte>[40];
        var checker = new SequenceChecker { MaxLength = 2048 };
        long sequence = 0;
        var deadline = Deadline.In(Bound, "writing and reading batches");
        while (checker.Next < Total)
        {
            deadline.Check();
            int count = (int)Math.Min(messages.Length, Total - sequence);
            for (int i = 0; i < count; i++)
            {
                byte[] record = new byte[SequencedRecord.LengthOf(sequence + i, 2048)];
                SequencedRecord.Fill(record, sequence + i);
                messages[i] = record;
            }

            sequence += writer.TryWriteBatch(messages.AsSpan(0, count));
            int read = reader.TryReadBatch(ref checker);
            Assert.Null(checker.Error);
            Assert.Equal(read, checker.InLastBatch);
            checker.InLastBatch = 0;
        }

        Assert.Equal(Total, sequence);
        Assert.Equal(0, reader.TryReadBatch(ref checker));
    }

    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    public void Unmanaged_batches_are_messages_of_their_bytes_and_a_full_ring_takes_only_what_fits(ChannelTopology topology)
    {
        using var channel = new TestChannel("batch");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 64);
        options.Topology = topology;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());

        var values = new long[1000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i;
        }

        int written = writer.TryWriteBatch<long>(values);
        Assert.InRange(written, 4096 / 16 - 1, 4096 / 16); // 16 bytes a record (SPSC keeps 8 bytes of slack): the ring holds fewer than all
        Assert.Equal(0, writer.TryWriteBatch<long>(values.AsSpan(written)));
        for (int i = 0; i < written; i++)
        {
            Assert.True(reader.TryRead(out long value));
            Assert.Equal(i, value);
        }

        Assert.False(reader.TryRead(out long _));
        Assert.Equal(written, writer.TryWriteBatch<long>(values.AsSpan(written, written)));
    }

    [Fact]
    public void A_handler_that_stops_or_throws_ends_its_batch_there_and_the_next_batch_goes_on_after_it()
    {
        using var channel = new TestChannel("batch");
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 4096));
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        for (long i = 0; i < 10; i++)
        {
            Assert.True(writer.TryWrite(i));
        }

        var handler = new Collecting { StopAt = 2, ThrowAt = 5 };
        Assert.Equal(2, reader.TryReadBatch(ref handler, maxMessages: 3)); // the handler said stop at its second
        Assert.Equal(2, reader.TryReadBatch(ref handler, maxMessages: 2)); // the most asked for
        Assert.Throws<InvalidOperationException>(() => reader.TryReadBatch(ref handler)); // the fifth throws: it counts as read
        Assert.Equal(5, handler.Seen);
        Assert.Equal(5, reader.TryReadBatch(ref handler));
        Assert.Equal(45, handler.Sum);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.TryReadBatch(ref handler, maxMessages: 0));
    }

    /// <summary>
    /// A writer parked on a full ring when a batch starts, and a handler that waits for that writer: after half the
    /// ring (the batch must have handed space back by its publication step, a quarter of the ring), or after its second
    /// message (far less than a step: only the parked writer's wake word can make the batch hand the first message's
    /// space back). A batch that missed either would hold the writer parked until the handler's wait gives up.
    /// </summary>
    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer, false)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer, false)]
    [InlineData(ChannelTopology.Broadcast, false)]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer, true)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer, true)]
    [InlineData(ChannelTopology.Broadcast, true)]
    public async Task A_writer_parked_on_a_full_ring_makes_progress_while_a_batch_handler_waits_for_it(ChannelTopology topology, bool afterTwoMessages)
    {
        using var channel = new TestChannel("batch");
        SharedChannelOptions options = channel.Options(capacity: 16384, maxMessageSize: 256);
        options.Topology = topology;
        options.SpinCount = 0; // the writer parks on the futex at once
        using var work = new BoundedWork();
        SharedChannelReader reader = work.Uses(SharedChannel.CreateReader(channel.Name, options));
        SharedChannelWriter writer = work.Uses(SharedChannel.OpenWriter(channel.Name, channel.Options()));
        byte[] payload = new byte[56]; // 64-byte records
        int filled = RingFill.UntilRefused(writer, payload);

        using var wrote = new ManualResetEventSlim();
        Task writing = work.Start(() =>
        {
            writer.Write(payload, Bound, work.Stopping); // the size refused: the ring has no room for it until the reader hands some back
            wrote.Set();
        });

        // The batch starts only once the writer has armed its wake word: the case under test is a writer already parked.
        var parked = Deadline.In(Bound, "the writer parking on the full ring");
        while (!WriterParked(writer))
        {
            parked.Check();
            Assert.False(writing.IsCompleted, "the writer stopped before it parked");
            Thread.Yield();
        }

        var handler = new WaitingForTheWriter { Wrote = wrote, WaitAfter = afterTwoMessages ? 2 : filled / 2, Bound = Bound };
        int read = reader.TryReadBatch(ref handler);
        Assert.True(handler.WriterWrote, $"the writer, parked on a full ring, wrote nothing while the batch read {handler.Count} of its {filled} messages");
        await BoundedWork.Within(writing, Bound, "the parked writer");
        Assert.Equal(handler.WaitAfter, read);
        Assert.Equal(filled + 1, read + RingFill.Drain(reader, 16384));
    }

    private static unsafe bool WriterParked(SharedChannelWriter writer) => (Volatile.Read(ref writer.Segment.Header->WriterWake) & 1) != 0;

    /// <summary>
    /// Completion is settled only once the batch that read the last message has handed its space back: the awaiter of
    /// Completion may dispose the reader at once, which must not find records the batch read and still holds. Seen at
    /// the MPSC zeroing point, where the batch's stretch is handed back, Completion must still be pending.
    /// </summary>
    [Fact]
    public void Completion_is_settled_after_a_batch_hands_back_its_space_not_inside_it()
    {
        using var channel = new TestChannel("batch");
        SharedChannelOptions options = channel.Options(capacity: 4096);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using (SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options()))
        {
            for (long i = 0; i < 3; i++)
            {
                Assert.True(writer.TryWrite(i));
            }

            writer.Complete();
        }

        Task completion = reader.Completion; // watched: the reading thread settles it as it reads the last message
        bool? completedWhileHandingBack = null;
        var counting = new Counting();
        using (ProtocolPoint.OnThisThread(point =>
        {
            if (point == ProtocolPoint.MpscZeroing)
            {
                completedWhileHandingBack ??= completion.IsCompleted;
            }
        }))
        {
            Assert.Equal(3, reader.TryReadBatch(ref counting));
        }

        Assert.False(completedWhileHandingBack, "Completion was settled before the batch handed its space back");
        Assert.True(completion.IsCompletedSuccessfully);
    }

    /// <summary>
    /// A Dispose on another thread while a batch is handing its space back (after its last lease ended, so no lease
    /// keeps the ring mapped) waits for the batch: the reader keeps its role, and its mapping, until the batch returns.
    /// </summary>
    [Fact]
    public void A_reader_disposed_on_another_thread_while_a_batch_hands_back_its_space_detaches_when_the_batch_returns()
    {
        using var channel = new TestChannel("batch");
        SharedChannelOptions options = channel.Options(capacity: 4096);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        try
        {
            for (long i = 0; i < 3; i++)
            {
                Assert.True(writer.TryWrite(i));
            }

            var counting = new Counting();
            using (ProtocolPoint.OnThisThread(point =>
            {
                if (point == ProtocolPoint.MpscZeroing)
                {
                    // Thrown from here, a failure stops the batch before it stores Head into memory Dispose may have unmapped.
                    Assert.True(Task.Run(reader.Dispose).Wait(Bound), "Dispose did not return");
                    Assert.Throws<ChannelRoleTakenException>(() => SharedChannel.OpenReader(channel.Name, channel.Options()).Dispose());
                }
            }))
            {
                Assert.Equal(3, reader.TryReadBatch(ref counting));
            }

            // Detached once the batch returned: the role is free, and the three were consumed (handed back) before it.
            using SharedChannelReader next = SharedChannel.OpenReader(channel.Name, channel.Options());
            Assert.False(next.TryRead(out long _));
            Assert.Throws<ObjectDisposedException>(() => reader.TryReadBatch(ref counting));
        }
        finally
        {
            reader.Dispose();
        }
    }

    /// <summary>
    /// Batches of 64-byte messages through every topology allocate nothing per message. Five windows of 2,000 messages,
    /// one of which must allocate nothing: a stray allocation of the runtime's may land in one window, while an
    /// allocation per message or per batch shows in every one.
    /// </summary>
    [Theory]
    [InlineData(ChannelTopology.SingleProducerSingleConsumer)]
    [InlineData(ChannelTopology.MultiProducerSingleConsumer)]
    [InlineData(ChannelTopology.Broadcast)]
    public void Batch_writes_and_reads_allocate_nothing_per_message(ChannelTopology topology)
    {
        using var channel = new TestChannel("batch");
        SharedChannelOptions options = channel.Options(capacity: 1 << 16, maxMessageSize: 64);
        options.Topology = topology;
        using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, options);
        using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
        var batch = new Message64[50];
        var counting = new Counting();
        void Exchange(int batches)
        {
            for (int i = 0; i < batches; i++)
            {
                batch[0][0] = i;
                // An MPSC batch stops at the ring's end (its records lie back to back): the rest goes in a second one.
                int written = writer.TryWriteBatch<Message64>(batch);
                written += writer.TryWriteBatch<Message64>(batch.AsSpan(written));
                Assert.True(written == batch.Length); // Assert.True: no comparer allocated per call
                Assert.True(reader.TryReadBatch(ref counting) == batch.Length);
            }
        }

        Exchange(100); // warm up: tiering and first-call work are not per message
        long[] windows = ThreadAllocations.PerWindow(() => Exchange(40));

        Assert.True(Array.IndexOf(windows, 0L) >= 0, ThreadAllocations.Describe(windows, "40 batches"));
        Assert.Equal(100 * 50 + 5 * 40 * 50, counting.Count);
    }

    [System.Runtime.CompilerServices.InlineArray(8)]
    private struct Message64
    {
        private long _element;
    }

    private struct Counting : IReadBatchHandler
    {
        public long Count;

        public bool OnMessage(in BatchMessage message)
        {
            Count++;
            return true;
        }
    }

    private struct SequenceChecker : IReadBatchHandler
    {
        public int MaxLength;
        public long Next;
        public int InLastBatch;
        public string? Error;

        public bool OnMessage(in BatchMessage message)
        {
            Error ??= SequencedRecord.Verify(message.Payload, Next, MaxLength);
            Next++;
            InLastBatch++;
            return true;
        }
    }

    private struct Collecting : IReadBatchHandler
    {
        public int StopAt;
        public int ThrowAt;
        public int Seen;
        public long Sum;

        public bool OnMessage(in BatchMessage message)
        {
            Seen++;
            Sum += BitConverter.ToInt64(message.Payload);
            if (Seen == ThrowAt)
            {
                throw new InvalidOperationException("the handler failed");
            }

            return Seen != StopAt;
        }
    }

    private struct WaitingForTheWriter : IReadBatchHandler
    {
        public ManualResetEventSlim Wrote;
        public int WaitAfter;
        public TimeSpan Bound;
        public int Count;
        public bool WriterWrote;

        public bool OnMessage(in BatchMessage message)
        {
            Count++;
            if (Count < WaitAfter)
            {
                return true;
            }

            // The writer, parked before the batch, must get its room now, inside the batch.
            WriterWrote = Wrote.Wait(Bound);
            return false;
        }
    }
}
