using System;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;
using NeoBuffer;
using NeoBuffer.Nats;

namespace TwoHosts;

/// <summary>The four processes: each prints "ready" once it is in place, then one result line.</summary>
internal static class Roles
{
    private static readonly SharedChannelOptions Ring = new() { Capacity = 4 << 20 };

    // Kept: if this bridge dies after the producer has completed the channel and left, no live process is attached,
    // and without KeepSegment the next process to open any channel would sweep it away with what was not forwarded.
    private static readonly SharedChannelOptions KeptRing = new() { Capacity = 4 << 20, KeepSegment = true };

    public static int Produce(Options options, CancellationToken stop)
    {
        using SharedChannelWriter<Telemetry> writer = OpenOrExplain(options.Channel, "bridge-out");
        byte[] host = Encoding.UTF8.GetBytes(Environment.MachineName);
        Console.WriteLine("ready");
        var clock = Stopwatch.StartNew();
        for (long i = 1; i <= options.Count; i++)
        {
            long ahead = options.Rate > 0 ? i * 1000 / options.Rate - clock.ElapsedMilliseconds : 0;
            if (ahead > 0)
            {
                stop.WaitHandle.WaitOne((int)ahead); // pacing, not synchronisation
            }

            var message = Telemetry.Builder.Claim(writer, hostLength: host.Length, TimeSpan.FromSeconds(30), stop);
            message.Sequence = i;
            message.SentUnixNs = UnixNs();
            message.Value = Math.Sin(i / 100.0);
            host.CopyTo(message.HostUtf8);
            message.Commit();
        }

        writer.Complete();
        Console.WriteLine($"produce: wrote {options.Count} messages");
        return 0;
    }

    public static async Task<int> BridgeOutAsync(Options options, CancellationToken stop)
    {
        using SharedChannelReader<Telemetry> reader = CreateOrResume(options.Channel);
        await using NatsConnection nats = new(new NatsOpts { Url = options.Url, Name = "twohosts-bridge-out" });
        if (options.Mode == NatsBridgeMode.JetStream)
        {
            await NatsBridge.CreateStreamAsync(nats, options.Stream, [options.Subject], cancellationToken: stop);
        }

        await nats.ConnectAsync();
        Console.WriteLine("ready");
        NatsBridgeStatistics statistics = await NatsBridge.ForwardAsync(reader, nats, options.Subject,
            new NatsForwardOptions { Mode = options.Mode, Stream = options.Mode == NatsBridgeMode.JetStream ? options.Stream : null }, stop);
        Console.WriteLine($"bridge-out: {statistics}");

        // Everything is forwarded: the kept segment has served its purpose.
        foreach (ChannelInfo channel in SharedChannel.List())
        {
            if (channel.Name == options.Channel)
            {
                System.IO.File.Delete(channel.Path);
            }
        }

        return 0;
    }

    public static async Task<int> BridgeInAsync(Options options, CancellationToken stop)
    {
        using SharedChannelWriter<Telemetry> writer = SharedChannel.CreateWriter<Telemetry>(options.Channel, Ring);
        // Wait rather than drop when the bridge's pending buffer is full (the ring is full): in core mode the client
        // then stops reading the socket and the server's own slow-consumer limit applies, instead of the client
        // dropping at 1,024 pending messages.
        await using NatsConnection nats = new(new NatsOpts
        {
            Url = options.Url,
            Name = "twohosts-bridge-in",
            SubPendingChannelFullMode = System.Threading.Channels.BoundedChannelFullMode.Wait,
        });
        if (options.Mode == NatsBridgeMode.JetStream)
        {
            await NatsBridge.CreateStreamAsync(nats, options.Stream, [options.Subject], cancellationToken: stop);
        }

        var receive = new NatsReceiveOptions
        {
            Mode = options.Mode,
            Stream = options.Stream,
            Consumer = options.Consumer,
            Ready = () => Console.WriteLine("ready"),
        };
        NatsBridgeStatistics statistics = await NatsBridge.ReceiveAsync(nats, options.Subject, writer, receive, stop);
        Console.WriteLine($"bridge-in: {statistics}");
        return 0;
    }

    public static int Subscribe(Options options, CancellationToken stop)
    {
        using SharedChannelReader<Telemetry> reader = SharedChannel.OpenReader<Telemetry>(options.Channel);
        Console.WriteLine("ready");
        long next = 1, repeated = 0;
        try
        {
            while (reader.WaitToRead(stop))
            {
                while (reader.TryLease(out MessageLease<Telemetry> lease))
                {
                    using (lease)
                    {
                        var message = new Telemetry.View(lease);
                        if (message.Sequence < next)
                        {
                            repeated++; // at least once: a redelivered message
                            continue;
                        }

                        if (message.Sequence != next)
                        {
                            Console.WriteLine($"subscribe: expected message {next}, got {message.Sequence}: {message.Sequence - next} missing");
                            return 1;
                        }

                        next++;
                    }
                }
            }
        }
        catch (System.Threading.Channels.ChannelClosedException e)
        {
            // The reason is text the writer put in shared memory, whoever that was: one line, control characters removed.
            Console.WriteLine(SampleExit.OneLine($"subscribe: the stream ended with an error after {next - 1} messages: {e.Message}"));
            return 1;
        }

        Console.WriteLine($"subscribe: received {next - 1} messages in order, none missing, {repeated} repeated");
        return next - 1 == options.Count ? 0 : 1;
    }

    // A bridge restarted after a crash finds the channel there, with what its predecessor had not forwarded still in it.
    private static SharedChannelReader<Telemetry> CreateOrResume(string channel)
    {
        try
        {
            return SharedChannel.CreateReader<Telemetry>(channel, KeptRing);
        }
        catch (ChannelExistsException)
        {
            return SharedChannel.OpenReader<Telemetry>(channel);
        }
    }

    private static SharedChannelWriter<Telemetry> OpenOrExplain(string channel, string creator)
    {
        try
        {
            return SharedChannel.OpenWriter<Telemetry>(channel);
        }
        catch (ChannelNotFoundException e)
        {
            throw new ChannelNotFoundException($"{e.Message} Start '{creator}' first: it creates the channel.");
        }
    }

    private static long UnixNs() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks * 100;
}
