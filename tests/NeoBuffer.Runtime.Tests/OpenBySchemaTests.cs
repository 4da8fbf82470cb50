using System;
using System.Linq;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A typed channel opened as raw record bytes by the schema its header stores, as a bridge or tool does without the
/// message's .NET type: the listed schema text parses back to the channel's fingerprint, the bytes are the records,
/// and any other schema is still refused.
/// </summary>
public sealed class OpenBySchemaTests
{
    private const string TickText =
        "neobuffer-schema 1\nmessage Demo.Tick size=16 align=8\nfield Sequence scalar offset=0 size=8 type=int64\nfield Label varutf8 offset=8 size=8 type=uint8[]\n";

    private static readonly MessageLayout Tick = MessageLayout.FromSchema(MessageSchema.Parse(TickText));

    [Fact]
    public void The_listed_schema_opens_a_typed_channel_as_raw_records_both_ways()
    {
        using var channel = new TestChannel();
        byte[] record = Enumerable.Range(1, 21).Select(i => (byte)i).ToArray();
        using SharedChannelWriter typedWriter = SharedChannel.CreateWriter(channel.Name, channel.Options(), Tick);
        typedWriter.Write(record);

        ChannelInfo info = SharedChannel.List(channel.Directory).Single(c => c.Name == channel.Name);
        MessageLayout stored = MessageLayout.FromSchema(MessageSchema.Parse(info.SchemaText));
        Assert.Equal(info.Fingerprint, stored.Fingerprint);
        Assert.Equal("Demo.Tick", stored.Name);
        Assert.Equal([(FieldKind.Scalar, 0), (FieldKind.VarUtf8, 8)], stored.Fields.Select(f => (f.Kind, f.Offset)));
        Assert.True(stored.HasVariableFields);

        using SharedChannelReader reader = SharedChannel.OpenReaderBySchema(channel.Name, stored, channel.Options());
        Assert.True(reader.TryLease(out ReadLease lease));
        using (lease)
        {
            Assert.Equal(record, lease.Payload.ToArray());
        }

        typedWriter.Dispose();
        using SharedChannelWriter writer = SharedChannel.OpenWriterBySchema(channel.Name, stored, channel.Options());
        writer.Write(record.AsSpan(0, 16));
        Assert.True(reader.TryLease(out ReadLease second));
        using (second)
        {
            Assert.Equal(record.AsSpan(0, 16).ToArray(), second.Payload.ToArray());
        }
    }

    [Fact]
    public void Another_schema_or_none_is_still_refused_and_a_raw_channel_opens_with_none()
    {
        using var typed = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(typed.Name, typed.Options(), Tick);
        MessageLayout renamed = MessageLayout.FromSchema(MessageSchema.Parse(TickText.Replace("Demo.Tick", "Demo.Tock", StringComparison.Ordinal)));

        var error = Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReaderBySchema(typed.Name, renamed, typed.Options()));
        Assert.Contains("Demo.Tock", error.Message);
        Assert.Contains("Demo.Tick", error.Message);
        Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReaderBySchema(typed.Name, null, typed.Options()));
        Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReader(typed.Name, typed.Options()));

        using var raw = new TestChannel();
        using SharedChannelWriter rawWriter = SharedChannel.CreateWriter(raw.Name, raw.Options());
        Assert.Throws<ChannelSchemaMismatchException>(() => SharedChannel.OpenReaderBySchema(raw.Name, Tick, raw.Options()));
        using SharedChannelReader rawReader = SharedChannel.OpenReaderBySchema(raw.Name, null, raw.Options());
    }
}
