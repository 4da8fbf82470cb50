using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Nats;

namespace NeoBuffer.Bench.Nats;

/// <summary>
/// The <c>nats</c> verb: the NATS bridge against NATS.Net publishing the same payloads directly, in the same rounds,
/// on one nats-server. Throughput is end to end: bridge = local ring, outbound bridge, nats-server, inbound bridge,
/// local ring, reader; direct = NATS.Net publish, nats-server, NATS.Net subscription. Latency is one message at a time.
/// </summary>
internal static class NatsSuite
{
    public const string Usage = "nats [--quick] [--json FILE] [--url nats://HOST:PORT]";

    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);
    private static readonly NatsRawSerializer<ReadOnlyMemory<byte>> RawOut = NatsRawSerializer<ReadOnlyMemory<byte>>.Default;
    private static readonly NatsRawSerializer<NatsMemoryOwner<byte>> RawIn = NatsRawSerializer<NatsMemoryOwner<byte>>.Default;

    public static int Run(bool quick, string? json, string? url)
    {
        using NatsBenchServer? server = url is null ? NatsBenchServer.Start() : null;
        string target = url ?? server!.Url;
        int rounds = quick ? 1 : 3;
        var sizes = new (int Bytes, int Messages)[] { (64, quick ? 50_000 : 200_000), (64 << 10, quick ? 1_000 : 4_000), (1 << 20, quick ? 100 : 400) };
        int jetStreamMessages = quick ? 2_000 : 5_000;
        int latencySamples = quick ? 300 : 2_000;
        var rows = new List<Row>();
        var clock = Stopwatch.StartNew();
        for (int round = 1; round <= rounds; round++)
        {
            Console.Error.WriteLine($"round {round} of {rounds}");
            foreach ((int bytes, int messages) in sizes)
            {
                rows.Add(Step(DirectThroughputAsync(target, bytes, messages, withEnvelope: false), round));
                rows.Add(Step(DirectThroughputAsync(target, bytes, messages, withEnvelope: true), round));
                rows.Add(Step(BridgeThroughputAsync(target, bytes, messages, new NatsForwardOptions { PublishEnd = false }, Bridge), round));
                if (bytes <= MaxGatheredBytes)
                {
                    rows.Add(Step(BridgeThroughputAsync(target, bytes, messages, new NatsForwardOptions { PublishEnd = false, MaxBatchBytes = 0 }, BridgeOneByOne), round));
                }
                rows.Add(Step(ForwardOnlyThroughputAsync(target, bytes, messages), round));
                rows.Add(Step(ReceiveOnlyThroughputAsync(target, bytes, messages), round));
            }

            rows.Add(Step(DirectJetStreamAsync(target, 64, jetStreamMessages, window: 1), round));
            rows.Add(Step(BridgeJetStreamAsync(target, 64, jetStreamMessages, maxInFlight: 1), round));
            rows.Add(Step(DirectJetStreamAsync(target, 64, jetStreamMessages * 4, JetStreamWindow), round));
            rows.Add(Step(BridgeJetStreamAsync(target, 64, jetStreamMessages * 4, maxInFlight: JetStreamWindow), round));
            foreach (int bytes in new[] { 64, 64 << 10 })
            {
                rows.Add(Step(DirectLatencyAsync(target, bytes, latencySamples), round));
                rows.Add(Step(BridgeLatencyAsync(target, bytes, latencySamples), round));
            }
        }

        Print(rows);
        if (json is not null)
        {
            File.WriteAllText(json, JsonSerializer.Serialize(rows, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            Console.WriteLine($"wrote {rows.Count} rows to {json}");
        }

        Console.WriteLine($"took {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    private static Row Step(Task<Row> session, int round)
    {
        Row row = session.GetAwaiter().GetResult() with { Round = round };
        Console.Error.WriteLine($"  {row.Scenario} {row.Transport} {row.MessageBytes} B: " +
            (row.P50Us > 0 ? $"p50 {row.P50Us:F0} us, p99 {row.P99Us:F0} us" : $"{row.MessagesPerSecond:N0} msgs/s, {row.GigabytesPerSecond:F3} GB/s"));
        return row;
    }

    private static void Print(List<Row> rows)
    {
        Console.WriteLine("| scenario | bytes | NATS.Net direct | bridge | bridge / direct (median of per-round ratios) | alloc B/msg direct / bridge | bridge, one record per NATS message (MaxBatchBytes 0) / direct | NATS.Net direct with the bridge's 24-byte envelope | outbound bridge only / inbound bridge only |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var group in rows.GroupBy(r => (r.Scenario, r.MessageBytes)))
        {
            Row[] direct = group.Where(r => r.Transport == Direct).OrderBy(r => r.Round).ToArray();
            Row[] bridge = group.Where(r => r.Transport == Bridge).OrderBy(r => r.Round).ToArray();
            Row[] withEnvelope = group.Where(r => r.Transport == DirectWithEnvelope).OrderBy(r => r.Round).ToArray();
            Row[] oneByOne = group.Where(r => r.Transport == BridgeOneByOne).OrderBy(r => r.Round).ToArray();
            Row[] forwardOnly = group.Where(r => r.Transport == ForwardOnly).OrderBy(r => r.Round).ToArray();
            Row[] receiveOnly = group.Where(r => r.Transport == ReceiveOnly).OrderBy(r => r.Round).ToArray();
            bool latency = group.Key.Scenario.StartsWith("latency", StringComparison.Ordinal);
            double[] ratios = direct.Zip(bridge, (d, b) => latency ? b.P50Us / d.P50Us : b.MessagesPerSecond / d.MessagesPerSecond).ToArray();
            string Show(Row[] r) => latency
                ? $"p50 {Median(r.Select(x => x.P50Us)):F0} us, p99 {Median(r.Select(x => x.P99Us)):F0} us"
                : $"{Median(r.Select(x => x.MessagesPerSecond)):N0} msgs/s, {Median(r.Select(x => x.GigabytesPerSecond)):F3} GB/s, {Median(r.Select(x => x.CpuUsPerMessage)):F1} us CPU/msg";
            string ratio = latency ? $"{Median(ratios):F2}x p50" : $"{Median(ratios):F2}x rate";
            Console.WriteLine($"| {group.Key.Scenario} | {group.Key.MessageBytes} | {Show(direct)} | {Show(bridge)} | {ratio} | " +
                $"{Median(direct.Select(x => x.AllocatedBytesPerMessage)):F0} / {Median(bridge.Select(x => x.AllocatedBytesPerMessage)):F0} | " +
                (oneByOne.Length == 0 ? "| " : $"{Show(oneByOne)}, {Median(direct.Zip(oneByOne, (d, b) => b.MessagesPerSecond / d.MessagesPerSecond)):F2}x rate | ") +
                (withEnvelope.Length == 0 ? "|" : $"{Show(withEnvelope)}, {Median(withEnvelope.Select(x => x.AllocatedBytesPerMessage)):F0} B/msg |") +
                (forwardOnly.Length == 0 ? " |" : $" {Show(forwardOnly)} / {Show(receiveOnly)} |"));
        }
    }

    // Where the consumers leave the sum of the bytes they read, so that the reads cannot be dropped.
    private static ulong s_sink;

    private const string Direct = "nats.net-direct";
    private const string Bridge = "neobuffer-bridge";
    private const string DirectWithEnvelope = "nats.net-direct-with-envelope";
    private const string ForwardOnly = "neobuffer-forward-only";
    private const string ReceiveOnly = "neobuffer-receive-only";
    private const string BridgeOneByOne = "neobuffer-bridge-one-per-message";

    // The largest record the default MaxBatchBytes (32 KiB) gathers: a quarter of it, less its frame.
    private const int MaxGatheredBytes = 8 << 10;

    // The bytes the bridge puts before each record (docs/nats.md, "Wire format"): 'N' 'B', version 1, kind 0, zeros,
    // fingerprint, sequence. The direct publisher sends the same bytes (a fixed sequence) so the wire carries as much.
    private const int EnvelopeBytes = 24;

    private static async Task<Row> DirectThroughputAsync(string url, int bytes, int count, bool withEnvelope)
    {
        await using NatsConnection publisher = Connect(url), subscriber = Connect(url);
        string subject = NewSubject();
        await using INatsSub<NatsMemoryOwner<byte>> subscription = await subscriber.SubscribeCoreAsync(subject, serializer: RawIn);
        await subscriber.PingAsync();
        await publisher.ConnectAsync();
        ReadOnlyMemory<byte> payload = withEnvelope ? Enveloped(Payload(bytes)) : Payload(bytes);
        byte[] message = new byte[payload.Length];
        Task received = Task.Run(() => ReceiveAsync(subscription, count));
        Meter meter = Meter.Start();
        for (int i = 0; i < count; i++)
        {
            payload.Span.CopyTo(message); // produced into the buffer it is published from, as the bridge's producer writes into its ring
            await publisher.PublishAsync(subject, (ReadOnlyMemory<byte>)message, serializer: RawOut);
        }

        await received.WaitAsync(Bound);
        return meter.Stop("throughput-core", withEnvelope ? DirectWithEnvelope : Direct, bytes, count);
    }

    private static async Task<Row> BridgeThroughputAsync(string url, int bytes, int count, NatsForwardOptions forward, string transport)
    {
        await using NatsConnection publisher = Connect(url), subscriber = Connect(url);
        await using Pair pair = await Pair.StartAsync(publisher, subscriber, bytes, forward);
        ReadOnlyMemory<byte> payload = Payload(bytes);
        Task received = OnOwnThread(() => pair.Read(count));
        Meter meter = Meter.Start();
        await OnOwnThread(() =>
        {
            for (int i = 0; i < count; i++)
            {
                pair.Near.Write(payload.Span);
            }
        });
        await received.WaitAsync(Bound);
        return meter.Stop("throughput-core", transport, bytes, count);
    }

    // The local producer and reader block in the ring's waits, as such programs do: each gets a thread of its own, as
    // they would in a program of their own. On a thread-pool thread each blocked wait took one of the pool's two
    // threads (one per core) from NATS.Net's and the bridges' continuations, and a 32 KiB publish then took about 1 ms.
    private static Task OnOwnThread(Action action) =>
        Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static Task<T> OnOwnThread<T>(Func<T> function) =>
        Task.Factory.StartNew(function, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    // recordsPerBatch: the messages are an outbound bridge's, and a batch (envelope kind 2) counts its records.
    private static async Task ReceiveAsync(INatsSub<NatsMemoryOwner<byte>> subscription, int count, bool recordsPerBatch = false)
    {
        int n = 0;
        ulong sum = 0;
        while (n < count && await subscription.Msgs.WaitToReadAsync())
        {
            while (subscription.Msgs.TryRead(out NatsMsg<NatsMemoryOwner<byte>> message))
            {
                ReadOnlySpan<byte> data = message.Data.Span;
                n += recordsPerBatch && data.Length >= EnvelopeBytes && data[3] == 2 ? BitConverter.ToInt32(data[4..8]) : 1;
                sum += MessageCheck.ReadEveryByte(data);
                message.Data.Dispose();
            }
        }

        Volatile.Write(ref s_sink, sum);
    }

    // Half the bridge path, to tell which half costs what: ring, outbound bridge, nats-server, NATS.Net subscription.
    private static async Task<Row> ForwardOnlyThroughputAsync(string url, int bytes, int count)
    {
        await using NatsConnection publisher = Connect(url), subscriber = Connect(url);
        string subject = NewSubject();
        await using INatsSub<NatsMemoryOwner<byte>> subscription = await subscriber.SubscribeCoreAsync(subject, serializer: RawIn);
        await subscriber.PingAsync();
        string name = "bench-nats-fwd-" + Guid.NewGuid().ToString("N")[..12];
        using SharedChannelWriter near = SharedChannel.CreateWriter(name, Pair.PeerOptionsFor(bytes));
        using SharedChannelReader nearReader = SharedChannel.OpenReader(name);
        using var stop = new CancellationTokenSource();
        Task forward = Task.Run(() => NatsBridge.ForwardAsync(nearReader, publisher, subject, new NatsForwardOptions { PublishEnd = false }, stop.Token));
        ReadOnlyMemory<byte> payload = Payload(bytes);
        Task received = Task.Run(() => ReceiveAsync(subscription, count, recordsPerBatch: true));
        Meter meter = Meter.Start();
        await OnOwnThread(() =>
        {
            for (int i = 0; i < count; i++)
            {
                near.Write(payload.Span);
            }
        });
        await received.WaitAsync(Bound);
        Row row = meter.Stop("throughput-core", ForwardOnly, bytes, count);
        stop.Cancel();
        await forward.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Bound);
        return row;
    }

    // The other half: NATS.Net publishing what an outbound bridge would (envelope, fingerprint 0), nats-server,
    // inbound bridge, ring, reader.
    private static async Task<Row> ReceiveOnlyThroughputAsync(string url, int bytes, int count)
    {
        await using NatsConnection publisher = Connect(url), subscriber = Connect(url);
        string subject = NewSubject();
        string name = "bench-nats-rcv-" + Guid.NewGuid().ToString("N")[..12];
        using SharedChannelWriter far = SharedChannel.CreateWriter(name, Pair.OptionsFor(bytes));
        using SharedChannelReader farReader = SharedChannel.OpenReader(name, Pair.PeerOptionsFor(bytes));
        using var stop = new CancellationTokenSource();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task receive = Task.Run(() => NatsBridge.ReceiveAsync(subscriber, subject, far, new NatsReceiveOptions { Ready = () => ready.TrySetResult() }, stop.Token));
        await Task.WhenAny(ready.Task, receive).WaitAsync(Bound);
        await publisher.ConnectAsync();
        ReadOnlyMemory<byte> payload = Enveloped(Payload(bytes));
        byte[] message = new byte[payload.Length];
        Task received = OnOwnThread(() =>
        {
            int n = 0;
            ulong sum = 0;
            while (n < count && farReader.WaitToRead(Bound))
            {
                while (n < count && farReader.TryLease(out ReadLease lease))
                {
                    sum += MessageCheck.ReadEveryByte(lease.Payload);
                    lease.Dispose();
                    n++;
                }
            }

            Volatile.Write(ref s_sink, sum);
        });
        Meter meter = Meter.Start();
        for (int i = 0; i < count; i++)
        {
            payload.Span.CopyTo(message);
            await publisher.PublishAsync(subject, (ReadOnlyMemory<byte>)message, serializer: RawOut);
        }

        await received.WaitAsync(Bound);
        Row row = meter.Stop("throughput-core", ReceiveOnly, bytes, count);
        stop.Cancel();
        await receive.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Bound);
        return row;
    }

    // The window both sides of the pipelined JetStream rows use: the bridge's default.
    private static readonly int JetStreamWindow = new NatsForwardOptions().MaxInFlight;

    // NATS.Net's own way to have several JetStream publishes in flight: start them, await the oldest when the window is
    // full (window 1: each acknowledged before the next starts, as the bridge with MaxInFlight = 1).
    private static async Task<Row> DirectJetStreamAsync(string url, int bytes, int count, int window)
    {
        await using NatsConnection publisher = Connect(url);
        string subject = NewSubject();
        await NatsBridge.CreateStreamAsync(publisher, "B" + subject.Replace(".", "", StringComparison.Ordinal), [subject]);
        var js = new NatsJSContext(publisher);
        ReadOnlyMemory<byte> payload = Payload(bytes);
        var inFlight = new Queue<ValueTask<NATS.Client.JetStream.Models.PubAckResponse>>(window);
        Meter meter = Meter.Start();
        for (int i = 0; i < count; i++)
        {
            if (inFlight.Count == window)
            {
                (await inFlight.Dequeue()).EnsureSuccess();
            }

            inFlight.Enqueue(js.PublishAsync(subject, payload, RawOut, new NatsJSPubOpts { MsgId = "direct-" + i }));
        }

        while (inFlight.Count > 0)
        {
            (await inFlight.Dequeue()).EnsureSuccess();
        }

        return meter.Stop(JetStreamScenario(window), Direct, bytes, count);
    }

    private static string JetStreamScenario(int window) => window == 1 ? "throughput-jetstream-publish" : "throughput-jetstream-window";

    private static async Task<Row> BridgeJetStreamAsync(string url, int bytes, int count, int maxInFlight)
    {
        await using NatsConnection publisher = Connect(url);
        string subject = NewSubject();
        string stream = "B" + subject.Replace(".", "", StringComparison.Ordinal);
        await NatsBridge.CreateStreamAsync(publisher, stream, [subject]);
        string name = "bench-nats-js-" + Guid.NewGuid().ToString("N")[..12];
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name, new SharedChannelOptions { Capacity = 1 << 22 });
        using SharedChannelReader reader = SharedChannel.OpenReader(name);
        ReadOnlyMemory<byte> payload = Payload(bytes);
        Meter meter = Meter.Start();
        Task<NatsBridgeStatistics> forward = Task.Run(() => NatsBridge.ForwardAsync(reader, publisher, subject,
            new NatsForwardOptions { Mode = NatsBridgeMode.JetStream, Stream = stream, PublishEnd = false, MaxInFlight = maxInFlight }));
        await OnOwnThread(() =>
        {
            for (int i = 0; i < count; i++)
            {
                writer.Write(payload.Span);
            }
        });

        writer.Complete();
        await forward.WaitAsync(Bound);
        return meter.Stop(JetStreamScenario(maxInFlight), Bridge, bytes, count);
    }

    private static async Task<Row> DirectLatencyAsync(string url, int bytes, int samples)
    {
        await using NatsConnection publisher = Connect(url), subscriber = Connect(url);
        string subject = NewSubject();
        await using INatsSub<NatsMemoryOwner<byte>> subscription = await subscriber.SubscribeCoreAsync(subject, serializer: RawIn);
        await subscriber.PingAsync();
        await publisher.ConnectAsync();
        ReadOnlyMemory<byte> payload = Payload(bytes);
        var latencies = new double[samples];
        for (int i = 0; i < samples; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await publisher.PublishAsync(subject, payload, serializer: RawOut);
            NatsMsg<NatsMemoryOwner<byte>> message = await subscription.Msgs.ReadAsync().AsTask().WaitAsync(Bound);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            message.Data.Dispose();
        }

        return Latency(Direct, bytes, latencies);
    }

    private static async Task<Row> BridgeLatencyAsync(string url, int bytes, int samples)
    {
        await using NatsConnection publisher = Connect(url), subscriber = Connect(url);
        await using Pair pair = await Pair.StartAsync(publisher, subscriber, bytes);
        ReadOnlyMemory<byte> payload = Payload(bytes);
        double[] latencies = await OnOwnThread(() =>
        {
            var result = new double[samples];
            for (int i = 0; i < samples; i++)
            {
                long start = Stopwatch.GetTimestamp();
                pair.Near.Write(payload.Span);
                pair.Read(1);
                result[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }

            return result;
        });
        return Latency(Bridge, bytes, latencies);
    }

    // Wall time, allocation and this process's CPU time (user + system, every thread: clients, bridges, rings) over a
    // throughput session. CPU per message says what a path costs even when other processes take the cores from it,
    // which the rate on a loaded machine does not; nats-server's own CPU is not in it.
    private readonly struct Meter
    {
        private readonly long _start;
        private readonly long _allocated;
        private readonly TimeSpan _cpu;

        private Meter(long start, long allocated, TimeSpan cpu)
        {
            _start = start;
            _allocated = allocated;
            _cpu = cpu;
        }

        public static Meter Start() => new(Stopwatch.GetTimestamp(), GC.GetTotalAllocatedBytes(precise: true), Process.GetCurrentProcess().TotalProcessorTime);

        public Row Stop(string scenario, string transport, int bytes, int count)
        {
            TimeSpan elapsed = Stopwatch.GetElapsedTime(_start);
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - _allocated;
            TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu;
            return new Row(scenario, transport, bytes, count, count / elapsed.TotalSeconds, (double)count * bytes / elapsed.TotalSeconds / 1e9, 0, 0, (double)allocated / count)
            {
                CpuUsPerMessage = cpu.TotalMicroseconds / count,
            };
        }
    }

    private static Row Latency(string transport, int bytes, double[] latencies)
    {
        Array.Sort(latencies);
        return new Row("latency-core", transport, bytes, latencies.Length, 0, 0, latencies[latencies.Length / 2], latencies[(int)(latencies.Length * 0.99)], 0);
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    // Wait, not drop, when a subscription's buffer is full: both transports then deliver every message, so the
    // rates compare like with like.
    private static NatsConnection Connect(string url) => new(new NatsOpts
    {
        Url = url,
        SubPendingChannelCapacity = 256,
        SubPendingChannelFullMode = BoundedChannelFullMode.Wait,
    });

    private static string NewSubject() => "bench." + Guid.NewGuid().ToString("N")[..16];

    private static ReadOnlyMemory<byte> Enveloped(ReadOnlyMemory<byte> payload)
    {
        byte[] message = new byte[EnvelopeBytes + payload.Length];
        message[0] = (byte)'N';
        message[1] = (byte)'B';
        message[2] = 1;
        message[16] = 1;
        payload.CopyTo(message.AsMemory(EnvelopeBytes));
        return message;
    }

    private static ReadOnlyMemory<byte> Payload(int bytes)
    {
        byte[] payload = new byte[bytes];
        new Random(bytes).NextBytes(payload);
        return payload;
    }

    /// <summary>One row: a session of one transport in one round.</summary>
    internal sealed record Row(string Scenario, string Transport, int MessageBytes, long Messages, double MessagesPerSecond, double GigabytesPerSecond,
        double P50Us, double P99Us, double AllocatedBytesPerMessage)
    {
        public int Round { get; init; }

        public double CpuUsPerMessage { get; init; }
    }

    /// <summary>
    /// A raw-bytes channel on each side of a subject: near (written by the harness, read by the outbound bridge) and
    /// far (written by the inbound bridge, read by the harness).
    /// </summary>
    private sealed class Pair : IAsyncDisposable
    {
        private readonly SharedChannelReader _nearReader;
        private readonly SharedChannelWriter _farWriter;
        private readonly SharedChannelReader _farReader;
        private readonly CancellationTokenSource _stop = new();
        private Task _forward = Task.CompletedTask;
        private Task _receive = Task.CompletedTask;

        private Pair(SharedChannelWriter near, SharedChannelReader nearReader, SharedChannelWriter farWriter, SharedChannelReader farReader)
        {
            Near = near;
            _nearReader = nearReader;
            _farWriter = farWriter;
            _farReader = farReader;
        }

        public SharedChannelWriter Near { get; }

        // At least 4 MiB, and room for 8 messages.
        public static SharedChannelOptions OptionsFor(int bytes) =>
            new() { Capacity = Math.Max(1L << 22, (long)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)bytes) * 8) };

        // The harness's own producer and reader park at once when they wait (SpinCount 0), as NATS.Net's publisher and
        // subscription do on the direct path: on 2 cores a peer spinning for about 40 us per wait takes the core that
        // nats-server and the bridges need. The bridges' own endpoints keep the default.
        public static SharedChannelOptions PeerOptionsFor(int bytes)
        {
            SharedChannelOptions options = OptionsFor(bytes);
            options.SpinCount = 0;
            return options;
        }

        public static async Task<Pair> StartAsync(NatsConnection publisher, NatsConnection subscriber, int bytes, NatsForwardOptions? forward = null)
        {
            SharedChannelOptions options = OptionsFor(bytes);
            string id = Guid.NewGuid().ToString("N")[..12];
            SharedChannelWriter near = SharedChannel.CreateWriter("bench-nats-near-" + id, PeerOptionsFor(bytes));
            SharedChannelReader nearReader = SharedChannel.OpenReader("bench-nats-near-" + id);
            SharedChannelWriter farWriter = SharedChannel.CreateWriter("bench-nats-far-" + id, options);
            SharedChannelReader farReader = SharedChannel.OpenReader("bench-nats-far-" + id, PeerOptionsFor(bytes));
            var pair = new Pair(near, nearReader, farWriter, farReader);
            string subject = NewSubject();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pair._receive = Task.Run(() => NatsBridge.ReceiveAsync(subscriber, subject, farWriter,
                new NatsReceiveOptions { Ready = () => ready.TrySetResult() }, pair._stop.Token));
            await Task.WhenAny(ready.Task, pair._receive).WaitAsync(Bound);
            pair._forward = Task.Run(() => NatsBridge.ForwardAsync(nearReader, publisher, subject, forward ?? new NatsForwardOptions { PublishEnd = false }, pair._stop.Token));
            return pair;
        }

        public void Read(int count)
        {
            int n = 0;
            ulong sum = 0;
            while (n < count && WaitOrFail())
            {
                while (n < count && _farReader.TryLease(out ReadLease lease))
                {
                    sum += MessageCheck.ReadEveryByte(lease.Payload);
                    lease.Dispose();
                    n++;
                }
            }

            Volatile.Write(ref s_sink, sum);
        }

        // A bridge that failed (say, a record over the server's max_payload) fails the session at once, with its error.
        private bool WaitOrFail()
        {
            while (true)
            {
                try
                {
                    return _farReader.WaitToRead(TimeSpan.FromSeconds(1));
                }
                catch (TimeoutException)
                {
                    foreach (Task bridge in new[] { _forward, _receive })
                    {
                        if (bridge.IsFaulted)
                        {
                            bridge.GetAwaiter().GetResult();
                        }
                    }
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            try
            {
                await Task.WhenAll(_forward, _receive).WaitAsync(Bound);
            }
            catch (OperationCanceledException)
            {
                // The bridges end by cancellation.
            }

            Near.Dispose();
            _nearReader.Dispose();
            _farWriter.Dispose();
            _farReader.Dispose();
            _stop.Dispose();
        }
    }
}
