using System;
using System.Linq;
using NeoBuffer.Generators.Tests.Messages;
using NeoBuffer.Testing;

namespace NeoBuffer.Generators.Tests;

/// <summary>Typed channels in one process: copies, builders and views, schema checks, and no allocation per message.</summary>
public sealed class TypedChannelTests
{
    [Fact]
    public void Messages_without_var_fields_are_copied_in_and_out_whole()
    {
        using var channel = new TestChannel("typed");
        using SharedChannelWriter<Plain> writer = SharedChannel.CreateWriter<Plain>(channel.Name, channel.Options());
        using SharedChannelReader<Plain> reader = SharedChannel.OpenReader<Plain>(channel.Name, channel.Options());

        Assert.False(reader.TryRead(out _));
        Assert.True(writer.TryWrite(new Plain { A = 1, B = 2, C = 3.5 }));
        Assert.True(reader.TryRead(out Plain copy));
        Assert.Equal((1, (byte)2, 3.5), (copy.A, copy.B, copy.C));
    }

    [Fact]
    public void Opening_with_another_schema_fails_and_shows_both_schemas()
    {
        using var channel = new TestChannel("typed");
        using SharedChannelWriter<Plain> writer = SharedChannel.CreateWriter<Plain>(channel.Name, channel.Options());

        var error = Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReader<PlainRenamed>(channel.Name, channel.Options()));
        Assert.Contains("field B scalar", error.Message);
        Assert.Contains("field Bee scalar", error.Message);
        Assert.Equal(PlainRenamed.Layout.SchemaText, error.ExpectedSchema);
        Assert.Equal(Plain.Layout.SchemaText, error.ActualSchema);
        Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReader(channel.Name, channel.Options()));
    }

    [Fact]
    public void Whole_copies_of_a_message_with_var_fields_are_refused_with_a_pointer_to_the_builder()
    {
        using var channel = new TestChannel("typed");
        using SharedChannelWriter<Everything> writer = SharedChannel.CreateWriter<Everything>(channel.Name, channel.Options());
        using SharedChannelReader<Everything> reader = SharedChannel.OpenReader<Everything>(channel.Name, channel.Options());

        var error = Assert.Throws<InvalidOperationException>(() => writer.TryWrite(default(Everything)));
        Assert.Contains("Everything.Builder", error.Message);
        Assert.Throws<InvalidOperationException>(() => reader.TryRead(out _));
    }

    [Fact]
    public void A_claimed_builder_is_read_back_through_a_lease_and_a_view()
    {
        using var channel = new TestChannel("typed");
        using SharedChannelWriter<Everything> writer = SharedChannel.CreateWriter<Everything>(channel.Name, channel.Options());
        using SharedChannelReader<Everything> reader = SharedChannel.OpenReader<Everything>(channel.Name, channel.Options());

        Assert.True(Everything.Builder.TryClaim(writer, blobLength: 4, textLength: 2, longsCount: 1, pairsCount: 0, wideCount: 0, out Everything.Builder builder));
        builder.Last = 2.5;
        builder.Blob.Fill(0xAB);
        "ok"u8.CopyTo(builder.TextUtf8);
        builder.Longs[0] = -1;
        builder.Commit();

        Assert.True(reader.TryLease(out MessageLease<Everything> lease));
        using (lease)
        {
            var view = new Everything.View(lease);
            Assert.Equal(Everything.Builder.LengthFor(4, 2, 1, 0, 0), lease.Length);
            Assert.Equal(2.5, view.Last);
            Assert.Equal([0xAB, 0xAB, 0xAB, 0xAB], view.Blob.ToArray());
            Assert.Equal("ok", view.Text);
            Assert.Equal(-1, view.Longs[0]);
            Assert.True(view.Pairs.IsEmpty);
        }

        Assert.False(reader.TryLease(out _));
    }

    [Fact]
    public void A_lossy_typed_subscriber_counts_lost_messages_and_sees_an_overwritten_lease()
    {
        using var channel = new TestChannel("typed");
        SharedChannelOptions options = channel.Options(capacity: 4096, maxMessageSize: 1200);
        options.Topology = ChannelTopology.Broadcast;
        using SharedChannelWriter<Everything> writer = SharedChannel.CreateWriter<Everything>(channel.Name, options);
        SharedChannelOptions lossyOptions = channel.Options();
        lossyOptions.SubscriberMode = SubscriberMode.Lossy;
        using SharedChannelReader<Everything> lossy = SharedChannel.OpenReader<Everything>(channel.Name, lossyOptions);

        Write(writer, 0);
        Assert.True(lossy.TryLease(out MessageLease<Everything> lease));
        Assert.False(lease.IsOverwritten);
        for (int i = 1; i <= 10; i++)
        {
            Write(writer, i); // nobody is tethered: the producer laps the lossy subscriber
        }

        Assert.True(lease.IsOverwritten);
        lease.Dispose();
        Assert.Equal(1, lossy.LostMessages); // a lease found overwritten counts as lost

        long read = 0;
        long last = -1;
        while (lossy.TryLease(out MessageLease<Everything> next))
        {
            using (next)
            {
                last = new Everything.View(next).Longs[0];
                read++;
            }

            Assert.True(read <= 11, "the subscriber read more messages than were written");
        }

        Assert.Equal(10, last);
        Assert.Equal(11 - read, lossy.LostMessages); // every message is either read intact or counted as lost

        static void Write(SharedChannelWriter<Everything> writer, long sequence)
        {
            Assert.True(Everything.Builder.TryClaim(writer, 900, 0, 1, 0, 0, out Everything.Builder builder));
            builder.Longs[0] = sequence;
            builder.Commit();
        }
    }

    [Fact]
    public void An_aborted_builder_publishes_nothing_and_frees_its_space()
    {
        using var channel = new TestChannel("typed");
        using SharedChannelWriter<Everything> writer = SharedChannel.CreateWriter<Everything>(channel.Name, channel.Options(capacity: 8192));
        using SharedChannelReader<Everything> reader = SharedChannel.OpenReader<Everything>(channel.Name, channel.Options());

        for (int i = 0; i < 100; i++)
        {
            Assert.True(Everything.Builder.TryClaim(writer, 3000, 0, 0, 0, 0, out Everything.Builder builder));
            builder.Abort();
        }

        Assert.False(reader.TryLease(out _));
    }

    [Fact]
    public void Claiming_building_committing_leasing_and_viewing_allocate_nothing()
    {
        using var channel = new TestChannel("typed");
        using SharedChannelWriter<Everything> writer = SharedChannel.CreateWriter<Everything>(channel.Name, channel.Options());
        using SharedChannelReader<Everything> reader = SharedChannel.OpenReader<Everything>(channel.Name, channel.Options());
        long sum = RoundTrips(writer, reader, 1_000); // warm up: JIT and first-use layout checks allocate

        long[] windows = ThreadAllocations.PerWindow(() => sum += RoundTrips(writer, reader, 2_000));

        Assert.True(windows.Min() == 0, ThreadAllocations.Describe(windows, "2,000 round trips"));
        Assert.Equal(11_000L * 64, sum);
    }

    private static long RoundTrips(SharedChannelWriter<Everything> writer, SharedChannelReader<Everything> reader, int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            Everything.Builder builder = Everything.Builder.Claim(writer, 64, 0, 1, 0, 0, TimeSpan.FromSeconds(20));
            builder.Blob.Fill(1);
            builder.Longs[0] = i;
            builder.Commit();
            Assert.True(reader.TryLease(out MessageLease<Everything> lease));
            var view = new Everything.View(lease);
            foreach (byte b in view.Blob)
            {
                sum += b;
            }

            lease.Dispose();
        }

        return sum;
    }
}
