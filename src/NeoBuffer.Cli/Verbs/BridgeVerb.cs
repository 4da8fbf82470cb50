using System;
using System.CommandLine;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;
using NeoBuffer.Nats;

namespace NeoBuffer.Cli.Verbs;

/// <summary>
/// <c>neobuffer bridge forward|receive NAME --url URL --subject SUBJECT</c>: continues a local channel, raw or typed,
/// over NATS without its message's .NET type (the work is <see cref="NatsBridge.ForwardChannelAsync"/> and
/// <see cref="NatsBridge.ReceiveChannelAsync"/>; this file is only the command line). Runs until the channel or the
/// stream ends, or Ctrl+C/SIGTERM.
/// </summary>
internal static class BridgeVerb
{
    public static Command Create() => new("bridge", "Continue a channel on another host through NATS (core or JetStream).")
    {
        Direction("forward", "Publish every message of a local channel to a NATS subject (the bridge is its reader or a broadcast subscriber).", forward: true),
        Direction("receive", "Write every message of a NATS subject into a local channel (the bridge is its writer); other schemas and malformed records are refused.", forward: false),
    };

    private static Command Direction(string verb, string description, bool forward)
    {
        Argument<string> name = CommonOptions.ChannelName();
        Option<string?> directory = CommonOptions.Directory();
        Option<string> url = new("--url") { Description = "The NATS server.", DefaultValueFactory = _ => "nats://127.0.0.1:4222" };
        Option<string> subject = new("--subject", "-s") { Description = "The NATS subject.", Required = true };
        Option<NatsBridgeMode> mode = new("--mode") { Description = "core (at most once) or jetstream (at least once).", DefaultValueFactory = _ => NatsBridgeMode.Core };
        Option<string?> stream = new("--stream") { Description = "JetStream: the stream (forward: the one that must store the subject; receive: the one to consume, required)." };
        Option<string?> consumer = new("--consumer") { Description = "JetStream receive: the durable consumer's name (required); a restart under the same name resumes." };
        Option<string?> bridgeId = new("--bridge-id") { Description = "Forward: this bridge's name in headers and JetStream message ids; keep it across restarts so the stream drops what a restart republishes." };
        Option<int> maxInFlight = new("--max-in-flight") { Description = "JetStream forward: how many published messages may await the stream's acknowledgement at once (1: one at a time).", DefaultValueFactory = _ => new NatsForwardOptions().MaxInFlight };
        Option<int> maxBatchBytes = new("--max-batch-bytes") { Description = "Core forward: the most bytes one NATS message carries when several records are waiting at once (0: one record per message).", DefaultValueFactory = _ => new NatsForwardOptions().MaxBatchBytes };
        maxBatchBytes.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value is < 0 or > 1 << 20)
            {
                result.AddError($"--max-batch-bytes must be from 0 to {1 << 20}, not {value}.");
            }
        });
        Option<SubscriberMode> subscriber = new("--subscriber") { Description = "Forward from a broadcast channel: tethered (holds the producer back) or lossy (counts what it misses).", DefaultValueFactory = _ => SubscriberMode.Tethered };
        var command = new Command(verb, description) { name, directory, url, subject, mode, stream, consumer, bridgeId, maxInFlight, maxBatchBytes, subscriber };
        command.SetAction(parsed => CliExit.Run(() =>
        {
            var channelOptions = new SharedChannelOptions { Directory = parsed.GetValue(directory), SubscriberMode = parsed.GetValue(subscriber) };
            string channel = parsed.GetValue(name)!;
            string to = parsed.GetValue(subject)!;
            using var stop = new StopSignal();
            Task<NatsBridgeStatistics> run = forward
                ? ForwardAsync(channel, parsed.GetValue(url)!, to, new NatsForwardOptions
                {
                    Mode = parsed.GetValue(mode),
                    Stream = parsed.GetValue(stream),
                    BridgeId = parsed.GetValue(bridgeId),
                    MaxInFlight = parsed.GetValue(maxInFlight),
                    MaxBatchBytes = parsed.GetValue(maxBatchBytes),
                }, channelOptions, stop.Token)
                : ReceiveAsync(channel, parsed.GetValue(url)!, to, new NatsReceiveOptions
                {
                    Mode = parsed.GetValue(mode),
                    Stream = parsed.GetValue(stream),
                    Consumer = parsed.GetValue(consumer),
                    Ready = () => Console.WriteLine($"receiving {to} into {channel}"),
                }, channelOptions, stop.Token);
            try
            {
                NatsBridgeStatistics statistics = run.GetAwaiter().GetResult();
                Console.WriteLine($"done: {statistics}");
            }
            catch (OperationCanceledException) when (stop.IsStopped)
            {
                Console.WriteLine("stopped");
            }

            return CliExit.Done;
        }));
        return command;
    }

    private static async Task<NatsBridgeStatistics> ForwardAsync(string channel, string url, string subject, NatsForwardOptions options,
        SharedChannelOptions channelOptions, CancellationToken cancellationToken)
    {
        await using NatsConnection nats = await ConnectAsync(url).ConfigureAwait(false);
        return await NatsBridge.ForwardChannelAsync(channel, nats, subject, options, channelOptions, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<NatsBridgeStatistics> ReceiveAsync(string channel, string url, string subject, NatsReceiveOptions options,
        SharedChannelOptions channelOptions, CancellationToken cancellationToken)
    {
        await using NatsConnection nats = await ConnectAsync(url).ConfigureAwait(false);
        return await NatsBridge.ReceiveChannelAsync(nats, subject, channel, options, channelOptions, cancellationToken).ConfigureAwait(false);
    }

    // Connecting first makes an unreachable server one clear error now, rather than a bridge that waits forever.
    private static async Task<NatsConnection> ConnectAsync(string url)
    {
        var nats = new NatsConnection(new NatsOpts { Url = url, Name = "neobuffer-bridge", MaxReconnectRetry = -1 });
        try
        {
            await nats.ConnectAsync().ConfigureAwait(false);
            return nats;
        }
        catch
        {
            await nats.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
