using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Segments;
using NeoBuffer.Waiting;

namespace NeoBuffer;

/// <summary>
/// Creates and opens channels between processes on this machine (Linux only: elsewhere every method throws
/// <see cref="PlatformNotSupportedException"/>). A channel is a named ring in shared memory
/// (a file in <c>/dev/shm</c> by default); one side creates it, the other opens it by name.
/// </summary>
/// <example>
/// <code>
/// // producer process
/// using var writer = SharedChannel.CreateWriter("telemetry", new SharedChannelOptions { Capacity = 1 &lt;&lt; 20 });
/// writer.Write("hello"u8);
/// writer.Complete();
///
/// // consumer process
/// using var reader = SharedChannel.OpenReader("telemetry");
/// while (reader.WaitToRead())
///     while (reader.TryLease(out ReadLease lease))
///         using (lease) Console.WriteLine(Encoding.UTF8.GetString(lease.Payload));
/// </code>
/// </example>
public static partial class SharedChannel
{
    /// <summary>
    /// The name of the <see cref="System.Diagnostics.Metrics.Meter"/> every endpoint reports to (messages, bytes, losses,
    /// parked waits, ring use); select it in a <see cref="System.Diagnostics.Metrics.MeterListener"/> or with
    /// <c>dotnet-counters monitor --counters NeoBuffer</c>. README.md ("Metrics") lists the instruments.
    /// </summary>
    public const string MeterName = "NeoBuffer";

    /// <summary>Creates a channel of raw byte messages (of <see cref="SharedChannelOptions.Topology"/>) and becomes a writer.</summary>
    /// <exception cref="ChannelExistsException">A channel of that name already exists.</exception>
    /// <exception cref="System.ArgumentException">The name is not a valid channel name.</exception>
    public static SharedChannelWriter CreateWriter(string name, SharedChannelOptions? options = null) =>
        CreateWriter(name, options, schema: null);

    /// <summary>Opens an existing channel of raw byte messages as a writer (its topology comes from the channel).</summary>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries typed messages.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live writer (or, MPSC, all it admits).</exception>
    public static SharedChannelWriter OpenWriter(string name, SharedChannelOptions? options = null) =>
        OpenWriter(name, options, schema: null);

    /// <summary>Creates a channel of raw byte messages (of <see cref="SharedChannelOptions.Topology"/>) and becomes a reader.</summary>
    /// <exception cref="ChannelExistsException">A channel of that name already exists.</exception>
    public static SharedChannelReader CreateReader(string name, SharedChannelOptions? options = null) =>
        CreateReader(name, options, schema: null);

    /// <summary>
    /// Opens an existing channel of raw byte messages as a reader; on a broadcast channel, subscribes as
    /// <see cref="SharedChannelOptions.SubscriberMode"/> from <see cref="SharedChannelOptions.SubscriberStart"/>.
    /// </summary>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries typed messages.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live reader (or, broadcast, all the subscribers it admits).</exception>
    /// <exception cref="TimeoutException">A broadcast subscriber found the producer inside a commit for 30 s while it stayed alive (stopped or starved).</exception>
    public static SharedChannelReader OpenReader(string name, SharedChannelOptions? options = null) =>
        OpenReader(name, options, schema: null);

    /// <summary>
    /// Creates a channel of <typeparamref name="T"/> messages (of <see cref="SharedChannelOptions.Topology"/>) and becomes a writer.
    /// The header records <typeparamref name="T"/>'s schema, so only the same schema, or another version of a versioned
    /// message that extends it or that it extends, can open it.
    /// </summary>
    /// <exception cref="ChannelExistsException">A channel of that name already exists.</exception>
    /// <exception cref="System.InvalidOperationException">The generated layout of <typeparamref name="T"/> is not the CLR's.</exception>
    public static SharedChannelWriter<T> CreateWriter<T>(string name, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T> =>
        new(CreateWriter(name, options, T.Layout));

    /// <summary>Opens an existing channel of <typeparamref name="T"/> messages as a writer.</summary>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries another schema, not a version of <typeparamref name="T"/>'s message that extends it or that it extends; the message lists the differences and shows both.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has a live writer.</exception>
    public static SharedChannelWriter<T> OpenWriter<T>(string name, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T> =>
        new(OpenWriter(name, options, T.Layout));

    /// <summary>
    /// Creates a channel of <typeparamref name="T"/> messages (of <see cref="SharedChannelOptions.Topology"/>) and becomes a reader.
    /// </summary>
    /// <exception cref="ChannelExistsException">A channel of that name already exists.</exception>
    /// <exception cref="System.InvalidOperationException">The generated layout of <typeparamref name="T"/> is not the CLR's.</exception>
    public static SharedChannelReader<T> CreateReader<T>(string name, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T> =>
        new(CreateReader(name, options, T.Layout));

    /// <summary>Opens an existing channel of <typeparamref name="T"/> messages as a reader (on a broadcast channel, a subscriber).</summary>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries another schema, not a version of <typeparamref name="T"/>'s message that extends it or that it extends; the message lists the differences and shows both.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has a live reader.</exception>
    /// <exception cref="TimeoutException">A broadcast subscriber found the producer inside a commit for 30 s while it stayed alive (stopped or starved).</exception>
    public static SharedChannelReader<T> OpenReader<T>(string name, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T> =>
        new(OpenReader(name, options, T.Layout));

    /// <summary>
    /// Opens an existing channel as a reader of raw record bytes, checking that it carries <paramref name="schema"/>:
    /// for bridges and tools that handle any channel without its message's .NET type. The plain
    /// <see cref="OpenReader(string, SharedChannelOptions?)"/> refuses a typed channel; this one accepts exactly the
    /// schema whose fingerprint the header records (a raw-bytes channel only with <paramref name="schema"/> null).
    /// Records are read as the writer laid them out: decode them with the schema, and check a variable-length
    /// descriptor before following it, as a generated View does.
    /// </summary>
    /// <param name="name">The channel's name.</param>
    /// <param name="schema">The channel's schema, e.g. <see cref="MessageLayout.FromSchema"/> of <see cref="MessageSchema.Parse"/> of the <see cref="ChannelInfo.SchemaText"/> that <see cref="List"/> reports; null for a raw-bytes channel.</param>
    /// <param name="options">Reader options; on a broadcast channel, the subscriber mode and start.</param>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries another schema (for example it was recreated since it was listed); the message shows both.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live reader (or, broadcast, all the subscribers it admits).</exception>
    public static SharedChannelReader OpenReaderBySchema(string name, MessageLayout? schema, SharedChannelOptions? options = null) =>
        OpenReader(name, options, schema);

    /// <summary>
    /// Opens an existing channel as a writer of raw record bytes, checking that it carries <paramref name="schema"/>;
    /// see <see cref="OpenReaderBySchema"/>. The channel's readers trust what is written as records of that schema:
    /// a caller writing bytes that came from elsewhere checks each record against <paramref name="schema"/> first
    /// (at least <see cref="MessageLayout.FixedSize"/> bytes, every variable-length descriptor inside the record).
    /// </summary>
    /// <param name="name">The channel's name.</param>
    /// <param name="schema">The channel's schema; null for a raw-bytes channel.</param>
    /// <param name="options">Writer options.</param>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries another schema; the message shows both.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live writer (or, MPSC, all it admits).</exception>
    public static SharedChannelWriter OpenWriterBySchema(string name, MessageLayout? schema, SharedChannelOptions? options = null) =>
        OpenWriter(name, options, schema);

    /// <summary>
    /// Creates a duplex channel of raw byte messages: one segment holding a ring each way. This side writes the first
    /// ring and reads the second; the peer opens it by name with <see cref="OpenDuplex(string, SharedChannelOptions?)"/>.
    /// <see cref="SharedChannelOptions.Capacity"/> and <see cref="SharedChannelOptions.MaxMessageSize"/> apply to each
    /// ring.
    /// </summary>
    /// <exception cref="ChannelExistsException">A channel of that name already exists.</exception>
    /// <exception cref="ArgumentException">The name is not a valid channel name, or the options ask for a topology other than single-producer, single-consumer.</exception>
    public static SharedDuplexChannel CreateDuplex(string name, SharedChannelOptions? options = null) =>
        SharedDuplexChannel.Create(name, options, writeSchema: null, readSchema: null);

    /// <summary>Opens a duplex channel of raw byte messages by name, as the side that did not create it.</summary>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel, or not a duplex one.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries typed messages.</exception>
    /// <exception cref="ChannelRoleTakenException">Another live process already opened it.</exception>
    public static SharedDuplexChannel OpenDuplex(string name, SharedChannelOptions? options = null) =>
        SharedDuplexChannel.Open(name, options, writeSchema: null, readSchema: null);

    /// <summary>
    /// Creates a typed duplex channel: this side writes <typeparamref name="TWrite"/> and reads <typeparamref name="TRead"/>;
    /// the peer opens it with <c>OpenDuplex&lt;TRead, TWrite&gt;</c>. Each ring records its message schema.
    /// </summary>
    /// <exception cref="ChannelExistsException">A channel of that name already exists.</exception>
    /// <exception cref="ArgumentException">The options ask for a topology other than single-producer, single-consumer.</exception>
    /// <exception cref="InvalidOperationException">The generated layout of a message type is not the CLR's.</exception>
    public static SharedDuplexChannel<TWrite, TRead> CreateDuplex<TWrite, TRead>(string name, SharedChannelOptions? options = null)
        where TWrite : unmanaged, IChannelMessage<TWrite>
        where TRead : unmanaged, IChannelMessage<TRead> =>
        new(SharedDuplexChannel.Create(name, options, TWrite.Layout, TRead.Layout));

    /// <summary>
    /// Opens a typed duplex channel by name: this side writes <typeparamref name="TWrite"/> (what the creator reads) and
    /// reads <typeparamref name="TRead"/> (what the creator writes).
    /// </summary>
    /// <exception cref="ChannelNotFoundException">No channel of that name exists.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel, or not a duplex one.</exception>
    /// <exception cref="ChannelSchemaMismatchException">A ring carries another schema; the message shows both.</exception>
    /// <exception cref="ChannelRoleTakenException">Another live process already opened it.</exception>
    public static SharedDuplexChannel<TWrite, TRead> OpenDuplex<TWrite, TRead>(string name, SharedChannelOptions? options = null)
        where TWrite : unmanaged, IChannelMessage<TWrite>
        where TRead : unmanaged, IChannelMessage<TRead> =>
        new(SharedDuplexChannel.Open(name, options, TWrite.Layout, TRead.Layout));

    /// <summary>
    /// Creates a request/response service named <paramref name="name"/>: clients connect by that name with
    /// <see cref="ConnectAsync{TRequest, TResponse}(string, SharedChannelOptions?, TimeSpan, CancellationToken)"/>.
    /// <see cref="SharedChannelOptions.Capacity"/> sizes the service ring, which carries the clients' connects and
    /// disconnects (each client's requests and responses travel in a channel the client creates, sized by the options it
    /// connects with); <see cref="SharedChannelOptions.MaxProducers"/> bounds how many clients are connected at once.
    /// </summary>
    /// <exception cref="ChannelExistsException">A channel of that name already exists.</exception>
    public static SharedServer<TRequest, TResponse> CreateServer<TRequest, TResponse>(string name, SharedChannelOptions? options = null)
        where TRequest : unmanaged, IChannelMessage<TRequest>
        where TResponse : unmanaged, IChannelMessage<TResponse> =>
        new(name, options);

    /// <summary>
    /// Connects to the request/response service <paramref name="name"/>: creates this client's private response ring
    /// (<see cref="SharedChannelOptions.Capacity"/> sizes it) and waits up to <paramref name="timeout"/> for the server
    /// to accept it.
    /// </summary>
    /// <exception cref="ChannelNotFoundException">No server of that name exists.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The server serves other request or response types, or speaks another request/response envelope format (a NeoBuffer of another version); the message shows both schemas.</exception>
    /// <exception cref="ChannelRoleTakenException">The server has as many clients as it admits.</exception>
    /// <exception cref="TimeoutException">The server did not accept the connection in time.</exception>
    public static ValueTask<SharedClient<TRequest, TResponse>> ConnectAsync<TRequest, TResponse>(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default)
        where TRequest : unmanaged, IChannelMessage<TRequest>
        where TResponse : unmanaged, IChannelMessage<TResponse> =>
        SharedClient<TRequest, TResponse>.ConnectAsync(name, options, timeout, cancellationToken);

    /// <summary>
    /// Opens the channel as a writer, or creates it (with <paramref name="options"/>' topology and sizes) when it does
    /// not exist yet: for a writer that may start before or after its readers. A channel that already exists keeps the
    /// topology and sizes it was created with.
    /// </summary>
    /// <exception cref="ChannelFormatException">The file is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries typed messages.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live writer (or, MPSC, all it admits).</exception>
    public static SharedChannelWriter OpenOrCreateWriter(string name, SharedChannelOptions? options = null) =>
        ChannelOpening.OpenOrCreate(() => OpenWriter(name, options, schema: null), () => CreateWriter(name, options, schema: null));

    /// <summary>
    /// Opens the channel as a reader, or creates it (with <paramref name="options"/>' topology and sizes) when it does
    /// not exist yet: for a reader that may start before or after its writer.
    /// </summary>
    /// <exception cref="ChannelFormatException">The file is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries typed messages.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live reader (or, broadcast, all the subscribers it admits).</exception>
    public static SharedChannelReader OpenOrCreateReader(string name, SharedChannelOptions? options = null) =>
        ChannelOpening.OpenOrCreate(() => OpenReader(name, options, schema: null), () => CreateReader(name, options, schema: null));

    /// <summary>Opens the channel of <typeparamref name="T"/> messages as a writer, or creates it when it does not exist yet.</summary>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries another schema; the message shows both.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has a live writer.</exception>
    public static SharedChannelWriter<T> OpenOrCreateWriter<T>(string name, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T> =>
        new(ChannelOpening.OpenOrCreate(() => OpenWriter(name, options, T.Layout), () => CreateWriter(name, options, T.Layout)));

    /// <summary>Opens the channel of <typeparamref name="T"/> messages as a reader, or creates it when it does not exist yet.</summary>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries another schema; the message shows both.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has a live reader.</exception>
    public static SharedChannelReader<T> OpenOrCreateReader<T>(string name, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T> =>
        new(ChannelOpening.OpenOrCreate(() => OpenReader(name, options, T.Layout), () => CreateReader(name, options, T.Layout)));

    /// <summary>
    /// Opens an existing channel as a writer, waiting up to <paramref name="timeout"/> for another process to create it
    /// (the directory is looked at again every few milliseconds, at most every 50 ms).
    /// </summary>
    /// <exception cref="TimeoutException">No channel of that name appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries typed messages.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live writer (or, MPSC, all it admits).</exception>
    public static SharedChannelWriter OpenWriter(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ChannelOpening.OpenWhenCreated(name, () => OpenWriter(name, options, schema: null), timeout, cancellationToken);

    /// <summary>As <see cref="OpenWriter(string, SharedChannelOptions?, TimeSpan, CancellationToken)"/>, waiting asynchronously; no thread blocks meanwhile.</summary>
    /// <exception cref="TimeoutException">No channel of that name appeared within <paramref name="timeout"/>.</exception>
    public static ValueTask<SharedChannelWriter> OpenWriterAsync(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ChannelOpening.OpenWhenCreatedAsync(name, () => OpenWriter(name, options, schema: null), timeout, cancellationToken);

    /// <summary>
    /// Opens an existing channel as a reader (on a broadcast channel, a subscriber), waiting up to
    /// <paramref name="timeout"/> for another process to create it (looked at again at most every 50 ms).
    /// </summary>
    /// <exception cref="TimeoutException">No channel of that name appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelFormatException">The file is not a valid channel.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries typed messages.</exception>
    /// <exception cref="ChannelRoleTakenException">The channel already has its live reader (or, broadcast, all the subscribers it admits).</exception>
    public static SharedChannelReader OpenReader(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ChannelOpening.OpenWhenCreated(name, () => OpenReader(name, options, schema: null), timeout, cancellationToken);

    /// <summary>As <see cref="OpenReader(string, SharedChannelOptions?, TimeSpan, CancellationToken)"/>, waiting asynchronously; no thread blocks meanwhile.</summary>
    /// <exception cref="TimeoutException">No channel of that name appeared within <paramref name="timeout"/>.</exception>
    public static ValueTask<SharedChannelReader> OpenReaderAsync(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ChannelOpening.OpenWhenCreatedAsync(name, () => OpenReader(name, options, schema: null), timeout, cancellationToken);

    /// <summary>Opens an existing channel of <typeparamref name="T"/> messages as a writer, waiting up to <paramref name="timeout"/> for it to be created.</summary>
    /// <exception cref="TimeoutException">No channel of that name appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries another schema; the message shows both.</exception>
    public static SharedChannelWriter<T> OpenWriter<T>(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default) where T : unmanaged, IChannelMessage<T> =>
        new(ChannelOpening.OpenWhenCreated(name, () => OpenWriter(name, options, T.Layout), timeout, cancellationToken));

    /// <summary>Opens an existing channel of <typeparamref name="T"/> messages as a writer, waiting asynchronously up to <paramref name="timeout"/> for it to be created.</summary>
    /// <exception cref="TimeoutException">No channel of that name appeared within <paramref name="timeout"/>.</exception>
    public static async ValueTask<SharedChannelWriter<T>> OpenWriterAsync<T>(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default) where T : unmanaged, IChannelMessage<T> =>
        new(await ChannelOpening.OpenWhenCreatedAsync(name, () => OpenWriter(name, options, T.Layout), timeout, cancellationToken).ConfigureAwait(false));

    /// <summary>Opens an existing channel of <typeparamref name="T"/> messages as a reader, waiting up to <paramref name="timeout"/> for it to be created.</summary>
    /// <exception cref="TimeoutException">No channel of that name appeared within <paramref name="timeout"/>.</exception>
    /// <exception cref="ChannelSchemaMismatchException">The channel carries another schema; the message shows both.</exception>
    public static SharedChannelReader<T> OpenReader<T>(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default) where T : unmanaged, IChannelMessage<T> =>
        new(ChannelOpening.OpenWhenCreated(name, () => OpenReader(name, options, T.Layout), timeout, cancellationToken));

    /// <summary>Opens an existing channel of <typeparamref name="T"/> messages as a reader, waiting asynchronously up to <paramref name="timeout"/> for it to be created.</summary>
    /// <exception cref="TimeoutException">No channel of that name appeared within <paramref name="timeout"/>.</exception>
    public static async ValueTask<SharedChannelReader<T>> OpenReaderAsync<T>(string name, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default) where T : unmanaged, IChannelMessage<T> =>
        new(await ChannelOpening.OpenWhenCreatedAsync(name, () => OpenReader(name, options, T.Layout), timeout, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Waits until one of <paramref name="readers"/> can be read (a message, or the end of its stream) and returns its
    /// index: a process reading many channels needs no thread per channel. The readers may be of different channels
    /// and topologies; at most 127.
    /// </summary>
    /// <remarks>
    /// A reader disposed on another thread during the selection counts as ready (its next read throws
    /// <see cref="ObjectDisposedException"/>) and keeps its role until the selection returns.
    /// </remarks>
    /// <exception cref="TimeoutException">None became ready within <paramref name="timeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">One of <paramref name="readers"/> was already disposed.</exception>
    public static int WaitAny(IReadOnlyList<SharedChannelReader> readers, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ReaderSelection.WaitAny(readers, timeout, cancellationToken);

    /// <summary>
    /// Waits asynchronously until one of <paramref name="readers"/> can be read and returns its index. No thread
    /// blocks meanwhile: the process's futex waiter parks on every reader's wake word at once.
    /// </summary>
    /// <exception cref="TimeoutException">None became ready within <paramref name="timeout"/>.</exception>
    /// <exception cref="ObjectDisposedException">One of <paramref name="readers"/> was already disposed.</exception>
    public static ValueTask<int> WaitAnyAsync(IReadOnlyList<SharedChannelReader> readers, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        ReaderSelection.WaitAnyAsync(readers, timeout, cancellationToken);

    /// <summary>Waits asynchronously, without a time limit, until one of <paramref name="readers"/> can be read; returns its index.</summary>
    public static ValueTask<int> WaitAnyAsync(IReadOnlyList<SharedChannelReader> readers, CancellationToken cancellationToken = default) =>
        ReaderSelection.WaitAnyAsync(readers, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Lists the channels in <paramref name="directory"/> (default: NEOBUFFER_DIR, else /dev/shm) with their state:
    /// topology, schema, positions, and who is attached and alive. Reads headers without attaching: for tools.
    /// </summary>
    public static IReadOnlyList<ChannelInfo> List(string? directory = null)
    {
        LinuxOnly.ThrowIfNotLinux();
        return SegmentDirectory.List(ChannelName.ResolveDirectory(directory));
    }

    /// <summary>
    /// Removes the channels in <paramref name="directory"/> that no live process is attached to (their participants all
    /// died), except those created with <see cref="SharedChannelOptions.KeepSegment"/>. Creating and opening a channel
    /// does this too. Returns how many were removed.
    /// </summary>
    public static int RemoveStale(string? directory = null)
    {
        LinuxOnly.ThrowIfNotLinux();
        return SegmentDirectory.RemoveStale(ChannelName.ResolveDirectory(directory));
    }

    /// <summary>
    /// Creates a channel of raw byte messages in untrusted mode: its segment is an anonymous memfd sealed against
    /// shrinking and growing (seals sealed), so no peer can truncate it under another's mapping, and it has no path in
    /// any directory. The returned server holds the writer and serves the channel on a Unix socket created at
    /// <paramref name="socketPath"/> (mode 0600): each connecting process's kernel-checked credentials go to
    /// <paramref name="policy"/>, and only those it accepts receive the segment. It keeps accepting until disposed.
    /// <see cref="SharedChannelOptions.Directory"/>, <see cref="SharedChannelOptions.Permissions"/> and
    /// <see cref="SharedChannelOptions.KeepSegment"/> do not apply: the socket and the policy decide who may attach.
    /// </summary>
    /// <param name="name">The channel's name, for messages and tools (validated like any channel name).</param>
    /// <param name="socketPath">Where to create the socket; must not exist.</param>
    /// <param name="policy">Called on the server's thread for each peer; true to hand it the channel. A throw refuses.</param>
    /// <param name="options">Topology, capacity and the other ring options.</param>
    /// <exception cref="SharedChannelException">The memfd or the socket could not be made (the message says why).</exception>
    public static SealedChannelServer CreateSealedWriter(string name, string socketPath, Func<PeerCredentials, bool> policy, SharedChannelOptions? options = null)
    {
        LinuxOnly.ThrowIfNotLinux();
        ArgumentNullException.ThrowIfNull(socketPath);
        ArgumentNullException.ThrowIfNull(policy);
        options ??= SharedChannelOptions.Default;
        SharedSegment segment = SharedSegment.CreateSealed(name, options, schema: null);
        SharedChannelWriter writer = Attach(segment, s => new SharedChannelWriter(s, options));
        try
        {
            return new SealedChannelServer(writer, segment, socketPath, policy);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens, as a reader, the sealed channel served at <paramref name="socketPath"/> by
    /// <see cref="CreateSealedWriter"/>. The segment received is refused unless it is sealed against shrinking and
    /// growing with its seals sealed, and its header is validated like any other. A broadcast subscriber maps the ring
    /// data read-only.
    /// </summary>
    /// <param name="socketPath">The server's socket.</param>
    /// <param name="options">Reader options (subscriber mode and start, spin count).</param>
    /// <param name="timeout">How long to wait for the server's answer once connected.</param>
    /// <param name="cancellationToken">Cancels the wait for the server's answer.</param>
    /// <exception cref="ChannelNotFoundException">Nothing listens at <paramref name="socketPath"/>.</exception>
    /// <exception cref="SharedChannelException">The server's policy refused this process, or it offered an unsealed segment.</exception>
    /// <exception cref="ChannelFormatException">The segment is not a valid channel.</exception>
    /// <exception cref="TimeoutException">The server did not answer within <paramref name="timeout"/>.</exception>
    public static SharedChannelReader OpenSealedReader(string socketPath, SharedChannelOptions? options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        LinuxOnly.ThrowIfNotLinux();
        ArgumentNullException.ThrowIfNull(socketPath);
        options ??= SharedChannelOptions.Default;
        (int descriptor, string name) = Sealed.SegmentHandover.Receive(socketPath, timeout, cancellationToken);
        SharedSegment segment = SharedSegment.OpenSealed(descriptor, name, schema: null);
        return Attach(segment, s =>
        {
            if (s.Geometry.Topology == ChannelTopology.Broadcast)
            {
                s.ProtectDataReadOnly();
            }

            return new SharedChannelReader(s, options);
        });
    }

    internal static SharedChannelWriter CreateWriter(string name, SharedChannelOptions? options, MessageLayout? schema)
    {
        LinuxOnly.ThrowIfNotLinux();
        options ??= SharedChannelOptions.Default;
        return Attach(SharedSegment.Create(name, options, schema), segment => new SharedChannelWriter(segment, options));
    }

    internal static SharedChannelWriter OpenWriter(string name, SharedChannelOptions? options, MessageLayout? schema)
    {
        LinuxOnly.ThrowIfNotLinux();
        options ??= SharedChannelOptions.Default;
        return Attach(SharedSegment.Open(name, options, schema), segment => new SharedChannelWriter(segment, options));
    }

    internal static SharedChannelReader CreateReader(string name, SharedChannelOptions? options, MessageLayout? schema)
    {
        LinuxOnly.ThrowIfNotLinux();
        options ??= SharedChannelOptions.Default;
        return Attach(SharedSegment.Create(name, options, schema), segment => new SharedChannelReader(segment, options));
    }

    internal static SharedChannelReader OpenReader(string name, SharedChannelOptions? options, MessageLayout? schema)
    {
        LinuxOnly.ThrowIfNotLinux();
        options ??= SharedChannelOptions.Default;
        return Attach(SharedSegment.Open(name, options, schema), segment => new SharedChannelReader(segment, options));
    }

    // An endpoint that fails to take its role (say, the channel already has a live writer) must not leave the segment attached.
    private static TEndpoint Attach<TEndpoint>(SharedSegment segment, Func<SharedSegment, TEndpoint> endpoint)
    {
        try
        {
            return endpoint(segment);
        }
        catch
        {
            segment.Dispose();
            throw;
        }
    }
}
