using System;
using NeoBuffer.Segments;

namespace NeoBuffer;

/// <summary>
/// One end of a duplex channel: a ring each way in one segment, created by one process
/// (<see cref="SharedChannel.CreateDuplex(string, SharedChannelOptions?)"/>) and opened by name by another
/// (<see cref="SharedChannel.OpenDuplex(string, SharedChannelOptions?)"/>). <see cref="Writer"/> writes the ring the
/// peer reads, <see cref="Reader"/> reads the ring the peer writes: each is an ordinary single-producer,
/// single-consumer endpoint with the whole channel API (claim and commit, leases, async waits, completion).
/// </summary>
/// <remarks>
/// Each direction ends on its own: <c>Writer.Complete()</c> ends this side's stream, and the peer's reader sees the
/// end after the last message, while the other direction stays open. A peer that dies faults this side as for a
/// one-way channel: <see cref="Reader"/> reads what the peer committed, then throws
/// <see cref="System.Threading.Channels.ChannelClosedException"/>; a <see cref="Writer"/> waiting for room fails the
/// same way. Disposing detaches both endpoints without completing either direction (as for one-way channels); the
/// last process out removes the segment.
/// </remarks>
public sealed class SharedDuplexChannel : IDisposable
{
    internal SharedDuplexChannel(SharedChannelWriter writer, SharedChannelReader reader)
    {
        Writer = writer;
        Reader = reader;
    }

    /// <summary>The channel's name.</summary>
    public string Name => Writer.Name;

    /// <summary>This side's writer: the peer's <see cref="Reader"/> reads what it writes.</summary>
    public SharedChannelWriter Writer { get; }

    /// <summary>This side's reader: it reads what the peer's <see cref="Writer"/> writes.</summary>
    public SharedChannelReader Reader { get; }

    /// <summary>Detaches both endpoints (see <see cref="SharedChannelWriter.Dispose"/> and <see cref="SharedChannelReader.Dispose"/>).</summary>
    public void Dispose()
    {
        try
        {
            Writer.Dispose();
        }
        finally
        {
            Reader.Dispose();
        }
    }

    /// <summary>
    /// Creates the segment with both rings and takes this side's roles: the writer of the first ring and the reader of
    /// the second. <paramref name="writeSchema"/> types the first ring, <paramref name="readSchema"/> the second.
    /// </summary>
    internal static SharedDuplexChannel Create(string name, SharedChannelOptions? options, MessageLayout? writeSchema, MessageLayout? readSchema)
    {
        options = ForDuplex(options);
        (SharedSegment first, SharedSegment second) = SharedSegment.CreateDuplex(name, options, writeSchema, readSchema);
        return Attach(first, second, options, createdBySelf: true);
    }

    /// <summary>Opens the segment and takes the opener's roles: the reader of the first ring and the writer of the second.</summary>
    internal static SharedDuplexChannel Open(string name, SharedChannelOptions? options, MessageLayout? writeSchema, MessageLayout? readSchema)
    {
        options = ForDuplex(options);
        (SharedSegment first, SharedSegment second) = SharedSegment.OpenDuplex(name, options, readSchema, writeSchema);
        return Attach(first, second, options, createdBySelf: false);
    }

    private static SharedDuplexChannel Attach(SharedSegment first, SharedSegment second, SharedChannelOptions options, bool createdBySelf)
    {
        SharedSegment writing = createdBySelf ? first : second;
        SharedSegment reading = createdBySelf ? second : first;
        SharedChannelWriter? writer = null;
        try
        {
            writer = new SharedChannelWriter(writing, options);
        }
        catch
        {
            writing.Dispose();
            reading.Dispose();
            throw;
        }

        try
        {
            return new SharedDuplexChannel(writer, new SharedChannelReader(reading, options));
        }
        catch
        {
            writer.Dispose();
            reading.Dispose();
            throw;
        }
    }

    private static SharedChannelOptions ForDuplex(SharedChannelOptions? options)
    {
        options ??= SharedChannelOptions.Default;
        if (options.Topology != ChannelTopology.SingleProducerSingleConsumer)
        {
            throw new ArgumentException(
                $"A duplex channel is a single-producer, single-consumer ring each way; Topology {options.Topology} does not apply. " +
                "For many clients of one server, use SharedChannel.CreateServer.", nameof(options));
        }

        return options;
    }
}
