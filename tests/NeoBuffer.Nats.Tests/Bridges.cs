using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace NeoBuffer.Nats.Tests;

/// <summary>What the tests share: channel names, connections, writing and reading <see cref="Reading"/>s, bounds.</summary>
internal static class Bridges
{
    /// <summary>The bound of every wait in these tests.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static string NewName(string prefix) => $"nats-{prefix}-{Guid.NewGuid().ToString("N")[..16]}";

    /// <summary>A fresh JetStream subject and the name of a stream to store it.</summary>
    public static (string Subject, string Stream) NewStreamNames()
    {
        string id = Guid.NewGuid().ToString("N")[..12];
        return ($"js.{id}.readings", $"S{id}");
    }

    /// <summary>Every way an outbound bridge publishes a held record: a JetStream window, JetStream one at a time, core.</summary>
    public static TheoryData<NatsBridgeMode, int> EveryOutboundPath => new()
    {
        { NatsBridgeMode.JetStream, 256 },
        { NatsBridgeMode.JetStream, 1 },
        { NatsBridgeMode.Core, 1 },
    };

    /// <summary>A fresh subject; in JetStream mode also a stream that stores it (its name returned), else null.</summary>
    public static async Task<(string Subject, string? Stream)> NewSubjectForAsync(NatsConnection nats, NatsBridgeMode mode, CancellationToken cancellationToken)
    {
        (string subject, string stream) = NewStreamNames();
        if (mode != NatsBridgeMode.JetStream)
        {
            return (subject, null);
        }

        await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cancellationToken);
        return (subject, stream);
    }

    public static string NewSubject(string prefix) => $"test.{prefix}.{Guid.NewGuid():N}";

    /// <summary>
    /// A connection that reconnects quickly. <paramref name="lossless"/>: a full subscription buffer makes the client
    /// stop reading the socket instead of dropping (core mode's at-most-once then loses nothing on a loaded machine).
    /// </summary>
    public static NatsConnection Connect(string url, int pendingCapacity = 1024, bool lossless = true) =>
        new(new NatsOpts
        {
            Url = url,
            Name = "neobuffer-nats-tests",
            SubPendingChannelCapacity = pendingCapacity,
            SubPendingChannelFullMode = lossless ? System.Threading.Channels.BoundedChannelFullMode.Wait : System.Threading.Channels.BoundedChannelFullMode.DropNewest,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(50),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(300),
            MaxReconnectRetry = -1,
        });

    /// <summary>A plain subscription to <paramref name="subject"/>, to read the bytes a bridge puts on the wire; in place once this returns.</summary>
    public static async Task<INatsSub<byte[]>> TapAsync(NatsConnection nats, string subject, CancellationToken cancellationToken)
    {
        INatsSub<byte[]> sub = await nats.SubscribeCoreAsync<byte[]>(subject, cancellationToken: cancellationToken);
        await nats.PingAsync(cancellationToken); // the round trip proves the server has the subscription
        return sub;
    }

    /// <summary>The record a bridge message carries (the bytes after its envelope); null for an end marker.</summary>
    public static byte[]? RecordOf(byte[]? message)
    {
        Assert.Equal(EnvelopeRead.Read, Envelope.TryRead(message, out Envelope envelope, out _));
        return envelope.Kind == EnvelopeKind.End ? null : message![Envelope.Size..];
    }

    /// <summary>A record as an outbound bridge of <paramref name="fingerprint"/> would publish it.</summary>
    public static byte[] Enveloped(ulong fingerprint, byte[] record, long sequence = 1)
    {
        byte[] message = new byte[Envelope.Size + record.Length];
        new Envelope(EnvelopeKind.Record, fingerprint, sequence).WriteTo(message);
        record.CopyTo(message, Envelope.Size);
        return message;
    }

    /// <summary>The sequence numbers of the readings stored in <paramref name="stream"/>, in stream order (end markers left out).</summary>
    public static async Task<List<long>> StoredReadingsAsync(NatsConnection nats, string stream, int count, CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(nats);
        INatsJSConsumer consumer = await js.CreateOrUpdateConsumerAsync(stream,
            new NATS.Client.JetStream.Models.ConsumerConfig { AckPolicy = NATS.Client.JetStream.Models.ConsumerConfigAckPolicy.None }, cancellationToken);
        var stored = new List<long>();
        await foreach (NatsJSMsg<byte[]> message in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = count, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: cancellationToken))
        {
            if (Bridges.RecordOf(message.Data) is { } record)
            {
                stored.Add(new Reading.View(record).Sequence);
            }
        }

        return stored;
    }

    public static string LabelOf(long sequence) => $"sensor reading {sequence}";

    /// <summary>Writes readings <paramref name="from"/> to <paramref name="to"/> (inclusive), each with its label and sequence-derived samples.</summary>
    public static void WriteReadings(SharedChannelWriter<Reading> writer, long from, long to, CancellationToken cancellationToken = default)
    {
        for (long i = from; i <= to; i++)
        {
            byte[] label = Encoding.UTF8.GetBytes(LabelOf(i));
            int samples = (int)(i % 7) + 1;
            var builder = Reading.Builder.Claim(writer, labelLength: label.Length, samplesCount: samples, Bound, cancellationToken);
            builder.Sequence = i;
            builder.Sensor = (int)(i % 3);
            label.CopyTo(builder.LabelUtf8);
            for (int s = 0; s < samples; s++)
            {
                builder.Samples[s] = (int)(i * 10 + s);
            }

            builder.Commit();
        }
    }

    /// <summary>
    /// Reads readings until the channel completes (or <paramref name="count"/> arrived), checking every field; returns
    /// their sequence numbers in order. Throws if no reading comes for <paramref name="gap"/> (default <see cref="Bound"/>).
    /// </summary>
    public static List<long> ReadReadings(SharedChannelReader<Reading> reader, int count = int.MaxValue, TimeSpan? gap = null) =>
        ReadReadings(reader, new List<long>(), count, gap ?? Bound);

    private static List<long> ReadReadings(SharedChannelReader<Reading> reader, List<long> sequences, int count, TimeSpan gap)
    {
        while (sequences.Count < count && reader.WaitToRead(gap))
        {
            while (sequences.Count < count && reader.TryLease(out MessageLease<Reading> lease))
            {
                using (lease)
                {
                    var view = new Reading.View(lease);
                    long i = view.Sequence;
                    Assert.Equal(LabelOf(i), view.Label);
                    Assert.Equal((int)(i % 3), view.Sensor);
                    ReadOnlySpan<int> samples = view.Samples;
                    Assert.Equal((int)(i % 7) + 1, samples.Length);
                    for (int s = 0; s < samples.Length; s++)
                    {
                        Assert.Equal((int)(i * 10 + s), samples[s]);
                    }

                    sequences.Add(i);
                }
            }
        }

        return sequences;
    }

    /// <summary>Like <see cref="ReadReadings"/>, but for a channel completed with an error: returns what arrived and the error.</summary>
    public static List<long> ReadReadingsUntilFault(SharedChannelReader<Reading> reader, out Exception? fault)
    {
        var sequences = new List<long>();
        fault = null;
        try
        {
            ReadReadings(reader, sequences, int.MaxValue, Bound);
        }
        catch (System.Threading.Channels.ChannelClosedException e)
        {
            fault = e;
        }

        return sequences;
    }

    /// <summary>Returns once the server's state of <paramref name="consumer"/> satisfies <paramref name="condition"/>: polls it, bounded by <paramref name="cancellationToken"/>.</summary>
    public static async Task UntilConsumerAsync(NatsJSContext js, string stream, string consumer, Func<NATS.Client.JetStream.Models.ConsumerInfo, bool> condition, CancellationToken cancellationToken)
    {
        while (!condition((await js.GetConsumerAsync(stream, consumer, cancellationToken)).Info))
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Starts a receive bridge and returns once it is receiving (its <see cref="NatsReceiveOptions.Ready"/> ran).</summary>
    public static async Task<Task<NatsBridgeStatistics>> StartReceiveAsync(Func<NatsReceiveOptions, Task<NatsBridgeStatistics>> receive, NatsReceiveOptions options)
    {
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        options.Ready = () => ready.TrySetResult();
        Task<NatsBridgeStatistics> run = Task.Run(() => receive(options));
        Task first = await Task.WhenAny(ready.Task, run).WaitAsync(Bound);
        await first; // a bridge that failed to start fails the test here, with its own exception
        return run;
    }
}

/// <summary>An <see cref="ILogger"/> that keeps what was logged, to check what a bridge logs and how often.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return _entries.ToArray();
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
