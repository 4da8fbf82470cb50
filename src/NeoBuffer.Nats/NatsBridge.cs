using System;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace NeoBuffer.Nats;

/// <summary>
/// Continues a NeoBuffer channel on another host through NATS. <see cref="ForwardAsync(SharedChannelReader, INatsConnection, string, NatsForwardOptions?, CancellationToken)"/>
/// reads a local channel and publishes each record to a subject, its bytes exactly as the generator laid them out,
/// after a 24-byte envelope carrying the wire format's version, the schema fingerprint and a sequence number (no headers);
/// <see cref="ReceiveAsync(INatsConnection, string, SharedChannelWriter, NatsReceiveOptions?, CancellationToken)"/>
/// takes them from the subject and writes them into a local channel, refusing other schemas and malformed records.
/// </summary>
/// <example>
/// <code>
/// // host A: the bridge is the channel's reader (or a broadcast subscriber)
/// await using var nats = new NatsConnection(new NatsOpts { Url = "nats://hub:4222" });
/// using var reader = SharedChannel.OpenReader&lt;VideoFrame&gt;("camera");
/// await NatsBridge.ForwardAsync(reader, nats, "camera.front", new NatsForwardOptions { Mode = NatsBridgeMode.JetStream }, ct);
///
/// // host B: the bridge is the channel's writer (or one of its MPSC writers)
/// using var writer = SharedChannel.CreateWriter&lt;VideoFrame&gt;("camera", new SharedChannelOptions { Capacity = 64L &lt;&lt; 20 });
/// await NatsBridge.ReceiveAsync(nats, "camera.front", writer,
///     new NatsReceiveOptions { Mode = NatsBridgeMode.JetStream, Stream = "CAMERA", Consumer = "host-b" }, ct);
/// </code>
/// </example>
public static class NatsBridge
{
    /// <summary>
    /// Publishes every message of a typed channel to <paramref name="subject"/> until the channel completes (then,
    /// unless <see cref="NatsForwardOptions.PublishEnd"/> is false, an end-of-stream marker). The bridge takes the
    /// reader's role: messages it forwards are consumed from the ring, a lossy subscriber's lost ones are counted.
    /// </summary>
    /// <returns>The bridge's counters, once the channel completed and everything was forwarded.</returns>
    /// <exception cref="System.Threading.Channels.ChannelClosedException">The local channel was completed with an error, or its writer died (after forwarding everything committed before, and the end marker with the error).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; a message held for JetStream stays in the ring.</exception>
    /// <exception cref="NatsBridgeException">JetStream refused the publish for good (for example the subject is stored by another stream than <see cref="NatsForwardOptions.Stream"/>). A subject that no stream stores gets no answer at all, like a JetStream that is down: that is retried and logged, not thrown. Or a record is larger, with its envelope, than the server's max_payload, or is not a well-formed record of the channel's schema, or the connection could not connect (in either mode).</exception>
    public static Task<NatsBridgeStatistics> ForwardAsync<T>(SharedChannelReader<T> reader, INatsConnection connection, string subject,
        NatsForwardOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IChannelMessage<T>
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ForwardAsync(reader.Untyped, T.Layout, connection, subject, options, cancellationToken);
    }

    /// <summary>
    /// Publishes every message of a raw-bytes channel to <paramref name="subject"/> (fingerprint 0, no schema name);
    /// see <see cref="ForwardAsync{T}"/>.
    /// </summary>
    /// <returns>The bridge's counters, once the channel completed and everything was forwarded.</returns>
    /// <exception cref="System.Threading.Channels.ChannelClosedException">The local channel was completed with an error, or its writer died.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NatsBridgeException">JetStream refused the publish for good, or a record is larger, with its envelope, than the server's max_payload, or is not a well-formed record of the channel's schema, or the connection could not connect.</exception>
    public static Task<NatsBridgeStatistics> ForwardAsync(SharedChannelReader reader, INatsConnection connection, string subject,
        NatsForwardOptions? options = null, CancellationToken cancellationToken = default) =>
        ForwardAsync(reader, null, connection, subject, options, cancellationToken);

    /// <summary>
    /// Writes every message published to <paramref name="subject"/> into a typed channel, until an end-of-stream marker
    /// arrives (which completes the channel, unless <see cref="NatsReceiveOptions.CompleteOnEnd"/> is false) or
    /// <paramref name="cancellationToken"/> is cancelled. A message whose fingerprint is not
    /// <typeparamref name="T"/>'s, or whose record is malformed, is counted and never written.
    /// </summary>
    /// <returns>The bridge's counters, once the end marker arrived or the local channel was completed by another writer (noticed at the next message).</returns>
    /// <exception cref="System.Threading.Channels.ChannelClosedException">The local channel's reader died (or left) while the ring was full.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NatsBridgeException">The JetStream stream or consumer could not be set up, or a consumer of that name exists for another subject, or the consumer (or its stream) was deleted while the bridge ran (the message says why).</exception>
    public static Task<NatsBridgeStatistics> ReceiveAsync<T>(INatsConnection connection, string subject, SharedChannelWriter<T> writer,
        NatsReceiveOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IChannelMessage<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        return ReceiveAsync(connection, subject, writer.Untyped, T.Layout, options, cancellationToken);
    }

    /// <summary>
    /// Writes every message published to <paramref name="subject"/> with fingerprint 0 (raw bytes) into a raw-bytes
    /// channel; see <see cref="ReceiveAsync{T}"/>.
    /// </summary>
    /// <returns>The bridge's counters.</returns>
    /// <exception cref="System.Threading.Channels.ChannelClosedException">The local channel's reader died (or left) while the ring was full.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NatsBridgeException">The JetStream stream or consumer could not be set up, or the consumer was deleted while the bridge ran.</exception>
    public static Task<NatsBridgeStatistics> ReceiveAsync(INatsConnection connection, string subject, SharedChannelWriter writer,
        NatsReceiveOptions? options = null, CancellationToken cancellationToken = default) =>
        ReceiveAsync(connection, subject, writer, null, options, cancellationToken);

    /// <summary>
    /// Publishes every message of the local channel <paramref name="channel"/>, raw or typed, without its message's .NET
    /// type: the bridge opens it as a reader by the schema its header stores
    /// (<see cref="SharedChannel.OpenReaderBySchema"/>), so its envelopes carry that schema's fingerprint exactly
    /// as <see cref="ForwardAsync{T}"/> would. What <c>neobuffer bridge forward</c> runs. Disposes the reader at the end.
    /// </summary>
    /// <param name="channel">The local channel's name; it must exist.</param>
    /// <param name="connection">The NATS connection.</param>
    /// <param name="subject">The subject to publish to.</param>
    /// <param name="options">How to publish.</param>
    /// <param name="channelOptions">How to open the channel: <see cref="SharedChannelOptions.Directory"/>, and on a broadcast channel the subscriber mode and start.</param>
    /// <param name="cancellationToken">Stops the bridge.</param>
    /// <returns>The bridge's counters, once the channel completed and everything was forwarded.</returns>
    /// <exception cref="ChannelNotFoundException">No such channel.</exception>
    /// <exception cref="ChannelFormatException">The channel's stored schema cannot be read.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its reader (or all the subscribers it admits).</exception>
    /// <exception cref="System.Threading.Channels.ChannelClosedException">The local channel was completed with an error, or its writer died.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NatsBridgeException">JetStream refused the publish for good, or a record is larger, with its envelope, than the server's max_payload, or is not a well-formed record of the channel's schema, or the connection could not connect.</exception>
    public static async Task<NatsBridgeStatistics> ForwardChannelAsync(string channel, INatsConnection connection, string subject,
        NatsForwardOptions? options = null, SharedChannelOptions? channelOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        MessageLayout? layout = StoredSchema.Of(channel, channelOptions?.Directory);
        using SharedChannelReader reader = SharedChannel.OpenReaderBySchema(channel, layout, channelOptions);
        return await ForwardAsync(reader, layout, connection, subject, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes every message published to <paramref name="subject"/> into the local channel <paramref name="channel"/>,
    /// raw or typed, without its message's .NET type: the bridge opens it as a writer by the schema its header stores
    /// (<see cref="SharedChannel.OpenWriterBySchema"/>) and refuses messages of another fingerprint and records that do
    /// not fit that schema, as <see cref="ReceiveAsync{T}"/> does. What <c>neobuffer bridge receive</c> runs. Disposes
    /// the writer at the end.
    /// </summary>
    /// <param name="connection">The NATS connection.</param>
    /// <param name="subject">The subject to take messages from.</param>
    /// <param name="channel">The local channel's name; it must exist (its reader creates it, typed or raw).</param>
    /// <param name="options">How to receive.</param>
    /// <param name="channelOptions">How to open the channel: <see cref="SharedChannelOptions.Directory"/> and the writer options.</param>
    /// <param name="cancellationToken">Stops the bridge.</param>
    /// <returns>The bridge's counters, once the end marker arrived or the local channel was completed by another writer (noticed at the next message).</returns>
    /// <exception cref="ChannelNotFoundException">No such channel.</exception>
    /// <exception cref="ChannelFormatException">The channel's stored schema cannot be read.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its writer (or all it admits).</exception>
    /// <exception cref="System.Threading.Channels.ChannelClosedException">The local channel's reader died (or left) while the ring was full.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="NatsBridgeException">The JetStream stream or consumer could not be set up, or the consumer was deleted while the bridge ran.</exception>
    public static async Task<NatsBridgeStatistics> ReceiveChannelAsync(INatsConnection connection, string subject, string channel,
        NatsReceiveOptions? options = null, SharedChannelOptions? channelOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        MessageLayout? layout = StoredSchema.Of(channel, channelOptions?.Directory);
        using SharedChannelWriter writer = SharedChannel.OpenWriterBySchema(channel, layout, channelOptions);
        return await ReceiveAsync(connection, subject, writer, layout, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the JetStream stream <paramref name="stream"/> storing <paramref name="subjects"/> on file with
    /// <paramref name="replicas"/> copies, or updates it to that; a bridge in JetStream mode needs one.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="stream">The stream's name.</param>
    /// <param name="subjects">The subjects it stores (wildcards allowed).</param>
    /// <param name="replicas">Copies kept on a cluster's servers (1 on a single server; 3 survives one server's loss).</param>
    /// <param name="duplicateWindow">How long the stream remembers message ids to drop a retried publish. Default 2 minutes.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="NatsBridgeException">The server refused (for example JetStream is not enabled, or there are too few servers for the replicas).</exception>
    public static async Task CreateStreamAsync(INatsConnection connection, string stream, string[] subjects, int replicas = 1,
        TimeSpan? duplicateWindow = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentNullException.ThrowIfNull(subjects);
        var js = new NatsJSContext(connection);
        var config = new StreamConfig(stream, subjects)
        {
            Storage = StreamConfigStorage.File,
            NumReplicas = replicas,
            DuplicateWindow = duplicateWindow ?? TimeSpan.FromMinutes(2),
        };
        try
        {
            await js.CreateOrUpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e)
        {
            throw new NatsBridgeException($"JetStream refused to create stream '{stream}' for {string.Join(", ", subjects)} with {replicas} replica(s): {e.Error.Description} (code {e.Error.ErrCode}).", e);
        }
        catch (NatsNoRespondersException e)
        {
            throw new NatsBridgeException($"Nobody answered the request to create stream '{stream}': is JetStream enabled on the server (nats-server -js)?", e);
        }
    }

    private static Task<NatsBridgeStatistics> ForwardAsync(SharedChannelReader reader, MessageLayout? layout, INatsConnection connection,
        string subject, NatsForwardOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        return new Forwarder(reader, layout, connection, subject, options ?? new NatsForwardOptions()).RunAsync(cancellationToken);
    }

    private static Task<NatsBridgeStatistics> ReceiveAsync(INatsConnection connection, string subject, SharedChannelWriter writer, MessageLayout? layout,
        NatsReceiveOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new NatsReceiveOptions();
        if (options.Mode == NatsBridgeMode.JetStream && (string.IsNullOrEmpty(options.Stream) || string.IsNullOrEmpty(options.Consumer)))
        {
            throw new ArgumentException("JetStream mode needs NatsReceiveOptions.Stream (the stream to consume) and NatsReceiveOptions.Consumer (a durable consumer name).", nameof(options));
        }

        return new Receiver(connection, subject, writer, layout, options).RunAsync(cancellationToken);
    }
}
