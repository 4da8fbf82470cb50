using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Segments;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A writer told "the reader died" must be right at the moment it throws: a reader restarted between the liveness
/// check and the verdict holds the row, and the writer goes on waiting for it (docs/format.md, "Liveness").
/// </summary>
public sealed unsafe class ReaderRestartTests
{
    [Fact]
    public void A_reader_restarted_right_after_the_writer_found_the_old_one_dead_does_not_fail_the_writer()
    {
        using var channel = new TestChannel("reader-restart");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 256);
        options.Topology = ChannelTopology.MultiProducerSingleConsumer;
        using SharedSegment dead = SharedSegment.Create(channel.Name, options, schema: null);
        using SharedSegment writer = SharedSegment.Open(channel.Name, options, schema: null);
        using SharedSegment restarted = SharedSegment.Open(channel.Name, options, schema: null);
        ParticipantRole.Acquire(dead, 0, ParticipantRow.KindConsumer, "reader");
        dead.UnlockRow(0); // SIGKILLed: the row still says active

        bool opened = false;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.DeadRowFound && !opened)
            {
                opened = true;
                ParticipantRole.Acquire(restarted, 0, ParticipantRow.KindConsumer, "reader");
            }
        }))
        {
            PeerLiveness.ThrowIfReaderGone(writer, 0, failWhenReaderDies: true);
        }

        Assert.True(opened);
    }
}
