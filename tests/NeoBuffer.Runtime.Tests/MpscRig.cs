using System;
using System.Collections.Generic;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Segments;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// An MPSC channel driven through the internal ring halves on one thread, so a test can stop any participant at any
/// protocol point and act there. Each endpoint attaches its own segment (its own open file description), so its row
/// lock conflicts with the others' exactly as another process's would. A writer "dies" by dropping its row lock while
/// its row still says active and still announces what it was doing: what the kernel leaves of a SIGKILLed process.
/// </summary>
internal sealed unsafe class MpscRig : IDisposable
{
    private readonly TestChannel _channel;
    private readonly List<SharedSegment> _segments = [];
    private MpscConsumer? _consumer;

    public MpscRig(int maxProducers = 4, long capacity = 4096, int maxMessageSize = 256, bool openConsumer = true)
    {
        _channel = new TestChannel("mpsc-rig");
        Options = _channel.Options(capacity, maxMessageSize);
        Options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        Options.MaxProducers = maxProducers;
        Segment = SharedSegment.Create(_channel.Name, Options, schema: null);
        _segments.Add(Segment);
        Memory = new RingMemory(Segment, RecordFraming.PlainFrame);
        if (openConsumer)
        {
            OpenConsumer();
        }
    }

    public SharedChannelOptions Options { get; }

    /// <summary>The creator's segment, which the consumer uses; no writer uses it.</summary>
    public SharedSegment Segment { get; }

    /// <summary>The consumer's view of the ring.</summary>
    public RingMemory Memory { get; }

    public ChannelHeader* Header => Segment.Header;

    public MpscConsumer Consumer => _consumer ?? throw new InvalidOperationException("The consumer is not open.");

    public ParticipantRow* Row(int row) => Segment.Row(row);

    /// <summary>Row <paramref name="row"/>'s State (free, acquiring, active).</summary>
    public int StateOf(int row) => System.Threading.Volatile.Read(ref Row(row)->State);

    /// <summary>Takes the reader's row and builds the consumer half (which finishes a dead reader's zeroing).</summary>
    public MpscConsumer OpenConsumer()
    {
        ParticipantRole role = ParticipantRole.Acquire(Segment, 0, ParticipantRow.KindConsumer, "reader");
        _consumer = MpscConsumer.Open(Memory, role.Row);
        return _consumer;
    }

    /// <summary>A writer on a segment of its own, in the first row free for one.</summary>
    public Writer AddWriter()
    {
        SharedSegment segment = SharedSegment.Open(_channel.Name, Options, schema: null);
        lock (_segments)
        {
            _segments.Add(segment);
        }

        ParticipantRole role = ParticipantRole.AcquireAny(segment, 1, ParticipantRow.KindProducer, "writer");
        var ring = MpscProducer.Open(new RingMemory(segment, RecordFraming.PlainFrame), role.Row, failWhenReaderDies: false);
        return new Writer(segment, role.Index, ring);
    }

    /// <summary>The next message, if one is committed at the head.</summary>
    public bool TryRead(out byte[] payload)
    {
        if (!Consumer.TryBeginRead(out byte* at, out int length))
        {
            payload = [];
            return false;
        }

        payload = new ReadOnlySpan<byte>(at, length).ToArray();
        Consumer.EndRead();
        return true;
    }

    /// <summary>
    /// Reads as a waiting reader does: each time nothing is readable it checks the peers (what each quiet slice of a
    /// wait does), at most <paramref name="checks"/> times. Null when no message came: bounded, so a reader that
    /// would wait for ever fails the test instead.
    /// </summary>
    public byte[]? ReadRecovering(int checks = 8)
    {
        for (int i = 0; ; i++)
        {
            if (TryRead(out byte[] payload))
            {
                return payload;
            }

            if (i == checks)
            {
                return null;
            }

            Consumer.ReclaimFromDeadPeers();
        }
    }

    public void Dispose()
    {
        for (int i = _segments.Count - 1; i >= 0; i--)
        {
            _segments[i].Dispose();
        }

        _channel.Dispose();
    }

    /// <summary>Thrown by a protocol-point hook to stop a writer dead at that point.</summary>
    private sealed class Killed : Exception;

    internal sealed class Writer(SharedSegment segment, int row, MpscProducer ring)
    {
        public int Row { get; } = row;

        public MpscProducer Ring { get; } = ring;

        /// <summary>Claims, fills with <paramref name="fill"/> and commits a message of <paramref name="length"/> bytes.</summary>
        public void Write(int length, byte fill)
        {
            byte* payload = Ring.TryClaim(length);
            if (payload == null)
            {
                throw new InvalidOperationException("The ring is full or completed.");
            }

            new Span<byte>(payload, length).Fill(fill);
            Ring.Commit();
        }

        /// <summary>Starts a claim of <paramref name="length"/> bytes and dies at <paramref name="point"/> inside it.</summary>
        public void DieAt(string point, int length)
        {
            try
            {
                using (ProtocolPoint.OnThisThread(name =>
                {
                    if (name == point)
                    {
                        throw new Killed();
                    }
                }))
                {
                    Ring.TryClaim(length);
                }

                throw new InvalidOperationException($"The claim never reached {point}.");
            }
            catch (Killed)
            {
                Die();
            }
        }

        /// <summary>What the kernel does for a dead process: its row lock is gone, its row stays as it was.</summary>
        public void Die() => segment.UnlockRow(Row);
    }
}
