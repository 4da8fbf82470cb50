using System.Threading;
using System.Threading.Channels;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Segments;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A participant killed while acquiring its row, after State = Acquiring and before Active, leaves a row that says Acquiring
/// and that nobody locks: its holder is as dead as one that got to Active (docs/format.md, "Liveness").
/// </summary>
public sealed unsafe class AcquiringRowTests
{
    [Fact]
    public void A_writer_killed_while_acquiring_its_row_faults_the_channel()
    {
        using var channel = new TestChannel("acquiring");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 256);
        using SharedSegment reader = SharedSegment.Create(channel.Name, options, schema: null);
        Volatile.Write(ref reader.Row(0)->State, ParticipantRow.StateAcquiring);

        Assert.True(ParticipantRole.IsHolderDead(reader, 0));
        PeerLiveness.FaultIfWriterDead(reader, 0);
        Assert.True(new ChannelCompletion(reader.Header).IsFaulted);
        Assert.Equal(ParticipantRow.StateFree, Volatile.Read(ref reader.Row(0)->State));
    }

    [Fact]
    public void A_writer_waiting_on_a_reader_killed_while_acquiring_its_row_is_told_the_reader_died()
    {
        using var channel = new TestChannel("acquiring");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 256);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedSegment writer = SharedSegment.Create(channel.Name, options, schema: null);
        Volatile.Write(ref writer.Row(0)->State, ParticipantRow.StateAcquiring);
        Volatile.Write(ref writer.Row(0)->Generation, 1);

        var error = Assert.Throws<ChannelClosedException>(() => PeerLiveness.ThrowIfReaderGone(writer, 0, failWhenReaderDies: true));
        Assert.Contains("died", error.Message);
    }

    [Fact]
    public void A_row_being_claimed_by_a_live_participant_is_not_dead()
    {
        using var channel = new TestChannel("acquiring");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 256);
        using SharedSegment reader = SharedSegment.Create(channel.Name, options, schema: null);
        using SharedSegment claimer = SharedSegment.Open(channel.Name, options, schema: null);
        Assert.True(claimer.TryLockRow(0));
        Volatile.Write(ref reader.Row(0)->State, ParticipantRow.StateAcquiring);

        Assert.False(ParticipantRole.IsHolderDead(reader, 0));
        PeerLiveness.FaultIfWriterDead(reader, 0);
        Assert.False(new ChannelCompletion(reader.Header).IsCompleted);
    }
}
