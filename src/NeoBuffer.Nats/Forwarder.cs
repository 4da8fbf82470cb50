using System;
using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace NeoBuffer.Nats;

/// <summary>One run of an outbound bridge: local channel to NATS subject.</summary>
internal sealed class Forwarder
{
    private readonly SharedChannelReader _reader;
    private readonly INatsConnection _connection;
    private readonly string _subject;
    private readonly NatsForwardOptions _options;
    private readonly NatsBridgeStatistics _statistics;
    private readonly ILogger? _logger;
    private readonly string _bridgeId;
    private readonly ulong _fingerprint;
    private readonly NatsJSContext? _js;
    private readonly OutboundRecordCheck _check;
    private long _sequence;
    private bool _warnedDisconnected;

    public Forwarder(SharedChannelReader reader, MessageLayout? layout, INatsConnection connection, string subject, NatsForwardOptions options)
    {
        _reader = reader;
        _connection = connection;
        _subject = subject;
        _options = options;
        _statistics = options.Statistics ?? new NatsBridgeStatistics();
        _logger = options.Logger;
        _bridgeId = options.BridgeId ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _fingerprint = layout?.Fingerprint ?? 0;
        _js = options.Mode == NatsBridgeMode.JetStream ? new NatsJSContext(connection) : null;
        _check = new OutboundRecordCheck(layout, _bridgeId, reader.Name);
    }

    public async Task<NatsBridgeStatistics> RunAsync(CancellationToken cancellationToken)
    {
        // Connected first: core mode drops what it cannot send while disconnected, which must not include a start.
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        MessageHold? hold = TryHold(_reader);
        Exception? fault = null;
        try
        {
            if (hold is not null)
            {
                await ForwardHeldAsync(hold, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await ForwardCopiedAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException e)
        {
            // The local writer died or completed the channel with an error: what it committed has been forwarded.
            fault = e;
        }

        if (_options.PublishEnd)
        {
            await PublishEndAsync(fault, cancellationToken).ConfigureAwait(false);
        }

        if (fault is not null)
        {
            throw fault;
        }

        return _statistics;
    }

    // NATS.Net's ConnectAsync takes no token, and a connection made to retry its first connect waits for the server for
    // as long as it takes: the bridge stops waiting when cancelled (the connect goes on, the connection's owner disposes
    // it). A connection that gives up throws NATS.Net's NatsException, which leaves as the bridge's own exception.
    private async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        ValueTask connect = _connection.ConnectAsync();
        try
        {
            if (connect.IsCompletedSuccessfully)
            {
                return;
            }

            await connect.AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NatsException e)
        {
            throw new NatsBridgeException($"NATS bridge {_bridgeId} cannot connect to NATS to forward '{_reader.Name}' to '{_subject}': {e.Message}. " +
                "Nothing was read from the channel; start the bridge again once the server is reachable.", e);
        }
    }

    // A lossy subscriber cannot hold a message (the producer may overwrite it meanwhile); every other reader can.
    private static MessageHold? TryHold(SharedChannelReader reader)
    {
        try
        {
            return new MessageHold(reader);
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    // Zero copy: the record goes from shared memory into the NATS client's write buffer, and the ring slot is released
    // only after the publish succeeded (JetStream: after the stream acknowledged it), so a bridge that dies or is
    // cancelled leaves the message to the next reader.
    private async Task ForwardHeldAsync(MessageHold hold, CancellationToken cancellationToken)
    {
        if (_js is not null && _options.MaxInFlight > 1)
        {
            (bool ended, ReadAhead? readAhead) = await OpenReadAheadAsync(hold, cancellationToken).ConfigureAwait(false);
            if (ended)
            {
                return;
            }

            if (readAhead is not null)
            {
                using (readAhead)
                {
                    await new JetStreamPipeline(hold, readAhead, _connection, _subject, _options, _statistics, _bridgeId, _fingerprint, _check)
                        .RunAsync(cancellationToken).ConfigureAwait(false);
                }

                return;
            }
        }

        if (_js is null && _options.MaxBatchBytes > 0)
        {
            await ForwardGatheringAsync(hold, cancellationToken).ConfigureAwait(false);
            return;
        }

        await ForwardOneAtATimeAsync(hold, cancellationToken).ConfigureAwait(false);
    }

    // Holds the first record (the read-ahead is checked against it) and opens the read-ahead, which leaves it held;
    // ended when the channel completed before a first record; no read-ahead when it cannot (the record is returned).
    private async ValueTask<(bool Ended, ReadAhead? ReadAhead)> OpenReadAheadAsync(MessageHold hold, CancellationToken cancellationToken)
    {
        ReadOnlyMemory<byte> first;
        while (!hold.TryHold(out first))
        {
            if (!await _reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return (true, null);
            }
        }

        ReadAhead? readAhead;
        string? whyNot;
        try
        {
            readAhead = ReadAhead.TryOpen(_reader, first.Span, hold.Position, out whyNot);
        }
        catch
        {
            hold.Return();
            throw;
        }

        if (readAhead is null)
        {
            hold.Return();
            _logger?.LogInformation("NATS bridge {Bridge}: publishing '{Channel}' to JetStream one message at a time: {Reason}.", _bridgeId, _reader.Name, whyNot);
        }

        return (false, readAhead);
    }

    private async Task ForwardOneAtATimeAsync(MessageHold hold, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!hold.TryHold(out ReadOnlyMemory<byte> record))
            {
                if (!await _reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            await PublishHeldAsync(hold, record, cancellationToken).ConfigureAwait(false);
        }
    }

    // The held record is released only once NATS.Net has taken it; a failed or cancelled publish leaves it in the ring.
    private async ValueTask PublishHeldAsync(MessageHold hold, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        try
        {
            _check.Ensure(record.Span, hold.Position);
            await PublishAsync(record, hold.Position, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            hold.Return();
            throw;
        }

        hold.Release();
    }

    // Core mode: the small records waiting in the ring leave together, in one message. They are gathered in one batch
    // read (TryReadBatch: copied into the batch and consumed, the ring's space handed back once per batch rather than
    // once per record, so a producer waiting for room is not woken for every 64 bytes). A record too large to gather
    // leaves alone, published from the ring while held, with no copy; one met in the middle of a gathering has been
    // consumed already, so it is copied aside and published right after the batch, keeping the channel's order.
    // Nothing waits for records to come: the batch is what was there when the bridge looked. A gathered record is
    // lost with the bridge if it dies, or if the publish fails or is cancelled before NATS.Net has taken it (then it is
    // counted in Dropped), as at most once allows; so is what NATS.Net has buffered and not yet sent, gathered or not.
    private async Task ForwardGatheringAsync(MessageHold hold, CancellationToken cancellationToken)
    {
        // Never a message the server refuses: its max_payload bounds the envelope and body together.
        int serverLimit = (_connection.ServerInfo?.MaxPayload ?? int.MaxValue) - Envelope.Size;
        using var batch = new RecordBatch(Math.Min(_options.MaxBatchBytes, serverLimit));
        var gatherer = new Gatherer(batch, _check);
        try
        {
            while (true)
            {
                if (!hold.TryHold(out ReadOnlyMemory<byte> record))
                {
                    if (!await _reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }

                if (!batch.Gathers(record.Length) || _check.Problem(record.Span) is not null)
                {
                    // Too large to gather, or malformed: checked (and left in the ring) while still held.
                    await PublishHeldAsync(hold, record, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                hold.Return(); // read again, first of the gathering
                _reader.TryReadBatch(ref gatherer);
                try
                {
                    await PublishBatchAsync(batch, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    // Consumed when gathered: a publish that fails or is cancelled loses them, counted, never silently.
                    _statistics.CountDropped(batch.Count + (gatherer.HasSetAside ? 1 : 0));
                    throw;
                }

                batch.Clear();
                if (gatherer.Malformed is { } malformed)
                {
                    // Consumed with the gathering, which stopped at it: what came before it has left, it is lost (counted).
                    _statistics.CountDropped();
                    throw malformed;
                }

                if (gatherer.HasSetAside)
                {
                    try
                    {
                        await PublishAsync(gatherer.SetAside, position: -1, cancellationToken).ConfigureAwait(false);
                    }
                    catch
                    {
                        _statistics.CountDropped();
                        throw;
                    }

                    gatherer.ClearSetAside();
                }
            }
        }
        finally
        {
            gatherer.ClearSetAside();
        }
    }

    // Copies each record of a batch read into the batch while any record small enough to gather still fits, so only
    // a large one can fail to fit: that one is copied aside and ends the read.
    private struct Gatherer(RecordBatch batch, OutboundRecordCheck check) : IReadBatchHandler
    {
        private byte[]? _setAside;
        private int _setAsideLength;

        /// <summary>The malformed record that ended the gathering: the records before it are published, it is not.</summary>
        public NatsBridgeException? Malformed { get; private set; }

        public readonly bool HasSetAside => _setAside is not null;

        public readonly ReadOnlyMemory<byte> SetAside => _setAside.AsMemory(0, _setAsideLength);

        public bool OnMessage(in BatchMessage message)
        {
            if (check.Problem(message.Payload) is { } problem)
            {
                Malformed = check.Malformed(problem, message.Length, position: -1);
                return false;
            }

            if (batch.TryAdd(message.Payload))
            {
                return batch.HasRoomForAnyGathered;
            }

            _setAside = ArrayPool<byte>.Shared.Rent(message.Length);
            _setAsideLength = message.Length;
            message.Payload.CopyTo(_setAside);
            return false;
        }

        public void ClearSetAside()
        {
            if (_setAside is not null)
            {
                ArrayPool<byte>.Shared.Return(_setAside);
                _setAside = null;
            }
        }
    }

    // A lossy subscriber's lease is copied out, checked for being overwritten, and only then published: a torn record
    // never leaves the machine. At most once by nature: the producer never waits for it.
    private async Task ForwardCopiedAsync(CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (true)
            {
                int length = CopyNext(ref buffer);
                _statistics.SetLost(_reader.LostMessages);
                if (length < 0)
                {
                    if (!await _reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }

                _check.Ensure(buffer.AsSpan(0, length), position: -1);
                await PublishAsync(buffer.AsMemory(0, length), position: -1, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Copies the next intact message into <paramref name="buffer"/> (grown as needed); -1 when there is none now.</summary>
    private int CopyNext(ref byte[] buffer)
    {
        while (_reader.TryLease(out ReadLease lease))
        {
            using (lease)
            {
                if (lease.Length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(lease.Length);
                }

                lease.Payload.CopyTo(buffer);
                if (!lease.IsOverwritten)
                {
                    return lease.Length;
                }
            }
        }

        return -1;
    }

    // One gathered record leaves as a record message, two or more as a batch; the sequence numbers run on either way.
    private ValueTask PublishBatchAsync(RecordBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 1)
        {
            return PublishAsync(batch.First, position: -1, cancellationToken);
        }

        long first = _sequence + 1;
        _sequence += batch.Count;
        ReadOnlyMemory<byte> message = batch.MessageWith(new Envelope(EnvelopeKind.Batch, _fingerprint, first, batch.Count));
        return PublishCoreAsync(message, NatsRawSerializer<ReadOnlyMemory<byte>>.Default, batch.Count, batch.RecordBytes, cancellationToken);
    }

    // Core mode's one publish, of a record or a batch of them: dropped and counted while NATS is away, else handed to
    // NATS.Net and counted once it has taken it. No headers: the envelope is the only metadata, and a header block
    // would cost the receiving client a parse.
    private ValueTask PublishCoreAsync<T>(T message, INatsSerialize<T> serializer, int records, long bytes, CancellationToken cancellationToken)
    {
        if (_connection.ConnectionState != NatsConnectionState.Open)
        {
            DropDisconnected(records);
            return ValueTask.CompletedTask;
        }

        _warnedDisconnected = false;
        ValueTask publish;
        try
        {
            publish = _connection.PublishAsync(_subject, message, serializer: serializer, cancellationToken: cancellationToken);
        }
        catch (NatsPayloadTooLargeException e)
        {
            throw NatsBridgeException.TooLarge(_subject, (int)bytes, e);
        }

        if (publish.IsCompletedSuccessfully)
        {
            _statistics.CountMessages(records, bytes);
            return ValueTask.CompletedTask;
        }

        return AwaitCountedAsync(publish, records, bytes);
    }

    private async ValueTask AwaitCountedAsync(ValueTask publish, int records, long bytes)
    {
        try
        {
            await publish.ConfigureAwait(false);
        }
        catch (NatsPayloadTooLargeException e)
        {
            // Only a single record can be too large: a batch is bounded by the server's max_payload when it is gathered.
            throw NatsBridgeException.TooLarge(_subject, (int)bytes, e);
        }

        _statistics.CountMessages(records, bytes);
    }

    private void DropDisconnected(int count)
    {
        // At most once: waiting for the reconnect would hold the local producer back for as long as NATS is away.
        _statistics.CountDropped(count);
        if (!_warnedDisconnected)
        {
            _warnedDisconnected = true;
            _logger?.LogWarning("NATS bridge {Bridge}: connection to NATS is {State}; core-mode messages for '{Subject}' are dropped until it is back.",
                _bridgeId, _connection.ConnectionState, _subject);
        }
    }

    // position: the held record's channel position, -1 for a copied (lossy) one.
    private ValueTask PublishAsync(ReadOnlyMemory<byte> record, long position, CancellationToken cancellationToken)
    {
        long sequence = ++_sequence;
        var message = new EnvelopedPayload(new Envelope(EnvelopeKind.Record, _fingerprint, sequence), record);
        if (_js is not null)
        {
            return PublishJetStreamAsync(message, position, cancellationToken);
        }

        return PublishCoreAsync(message, EnvelopedPayloadSerializer.Default, records: 1, record.Length, cancellationToken);
    }

    private async ValueTask PublishJetStreamAsync(EnvelopedPayload message, long position, CancellationToken cancellationToken)
    {
        long sequence = message.Envelope.Sequence;
        var publishOptions = new NatsJSPubOpts
        {
            // A held record's id is its channel position: a bridge killed after the stream stored the record but
            // before releasing it leaves it at that position, so the restarted bridge (same BridgeId) republishes it
            // under the same id and the stream drops the copy. The run's sequence number would start again at 1.
            MsgId = position >= 0
                ? string.Concat(_bridgeId, "-p", position.ToString(CultureInfo.InvariantCulture))
                : string.Concat(_bridgeId, "-", sequence.ToString(CultureInfo.InvariantCulture)),
            ExpectedStream = _options.Stream,
        };
        PubAckResponse ack = await PublishUntilAcknowledgedAsync(message, publishOptions, sequence, cancellationToken).ConfigureAwait(false);
        if (ack.Duplicate)
        {
            _statistics.CountDuplicate();
        }

        _statistics.CountMessage(message.Body.Length);
    }

    private async ValueTask<PubAckResponse> PublishUntilAcknowledgedAsync(EnvelopedPayload message, NatsJSPubOpts publishOptions, long sequence,
        CancellationToken cancellationToken)
    {
        int failures = 0;
        while (true)
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(_options.AckTimeout);
            Exception failure;
            try
            {
                PubAckResponse ack = await _js!.PublishAsync(_subject, message, EnvelopedPayloadSerializer.Default, publishOptions, headers: null, attempt.Token).ConfigureAwait(false);
                if (!ack.Duplicate)
                {
                    // A duplicate is the stream saying it has the message already: success, for at least once.
                    ack.EnsureSuccess();
                }
                if (failures > 0)
                {
                    _logger?.LogInformation("NATS bridge {Bridge}: message {Sequence} on '{Subject}' acknowledged after {Failures} failed attempt(s).",
                        _bridgeId, sequence, _subject, failures);
                }

                return ack;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (NatsJSApiException e) when (NatsBridgeException.IsForGood(e.Error))
            {
                throw NatsBridgeException.RefusedForGood(sequence, _subject, _options.Stream, e.Error, e);
            }
            catch (NatsPayloadTooLargeException e)
            {
                throw NatsBridgeException.TooLarge(_subject, message.Body.Length, e);
            }
            catch (Exception e) when (e is NatsException or OperationCanceledException or TimeoutException)
            {
                failure = e;
            }

            // The message stays held in the ring meanwhile: the same message id is retried, and the stream drops it
            // as a duplicate if an earlier attempt did land and only its acknowledgement was lost.
            failures++;
            _statistics.CountRetry();
            if (failures == 1)
            {
                _logger?.LogWarning("NATS bridge {Bridge}: publishing message {Sequence} on '{Subject}' failed ({Error}); retrying every {Delay} ms.",
                    _bridgeId, sequence, _subject, failure.Message, _options.RetryDelay.TotalMilliseconds);
            }

            await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    // "Channel 'x' was completed with an error: E: text" travels as "E: text": the far channel has its own name.
    private static string Reason(Exception fault)
    {
        const string Marker = "was completed with an error: ";
        int at = fault.Message.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0 ? fault.Message : fault.Message[(at + Marker.Length)..];
    }

    private async ValueTask PublishEndAsync(Exception? fault, CancellationToken cancellationToken)
    {
        // Its sequence is the run's record count: a subscriber can tell how many records the run published.
        var end = new EnvelopedPayload(new Envelope(EnvelopeKind.End, _fingerprint, _sequence),
            fault is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(Reason(fault)));
        if (_js is not null)
        {
            var publishOptions = new NatsJSPubOpts { MsgId = _bridgeId + "-end", ExpectedStream = _options.Stream };
            while (true)
            {
                try
                {
                    using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    attempt.CancelAfter(_options.AckTimeout);
                    PubAckResponse ack = await _js.PublishAsync(_subject, end, EnvelopedPayloadSerializer.Default, publishOptions, headers: null, attempt.Token).ConfigureAwait(false);
                    if (!ack.Duplicate)
                    {
                        ack.EnsureSuccess();
                    }
                    return;
                }
                catch (NatsJSApiException e) when (NatsBridgeException.IsForGood(e.Error))
                {
                    // As for a record (another stream than Stream stores the subject, say): never NATS.Net's own type.
                    throw NatsBridgeException.RefusedForGood("the end marker", _subject, _options.Stream, e.Error, e);
                }
                catch (Exception e) when ((e is NatsException or OperationCanceledException or TimeoutException) && !cancellationToken.IsCancellationRequested)
                {
                    _statistics.CountRetry();
                    await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await _connection.PublishAsync(_subject, end, serializer: EnvelopedPayloadSerializer.Default, cancellationToken: cancellationToken).ConfigureAwait(false);
        // Core publishes are buffered: make sure the marker left before the caller disposes the connection.
        await _connection.PingAsync(cancellationToken).ConfigureAwait(false);
    }
}
