using System;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace NeoBuffer.Nats;

/// <summary>
/// JetStream outbound with up to <see cref="NatsForwardOptions.MaxInFlight"/> publishes awaiting their
/// acknowledgement at once, instead of one round trip per record.
/// <para>
/// At least once: the reader holds the oldest record not yet acknowledged, so the ring keeps it and everything after
/// it; later records are read ahead (<see cref="ReadAhead"/>) and published. A record is released only when it is the
/// oldest and acknowledged, so the ring's Head never passes a record the stream has not confirmed; a bridge that dies
/// leaves every unacknowledged record (and perhaps some acknowledged ones) to the next reader, which publishes them
/// again under the same ids (<c>{BridgeId}-p{position}</c>): the stream drops what it already has.
/// </para>
/// <para>
/// In order: every publish goes out on one connection, each written before the next is started, so the server
/// receives them in ring order. Acknowledgements come to one subscription (<c>{inbox}.{sequence}</c>), not a request
/// each. A failure (no acknowledgement within <see cref="NatsForwardOptions.AckTimeout"/>, no responders, a retryable
/// error) publishes the window again from its oldest unacknowledged record, in order (go-back-N), after
/// <see cref="NatsForwardOptions.RetryDelay"/>. One case reorders: a stream that lost a publish yet stored a later one
/// of the same window (a leader change between the two) stores the lost one after it when it is published again.
/// </para>
/// </summary>
internal sealed class JetStreamPipeline
{
    private const string MessageIdHeader = "Nats-Msg-Id";
    private const string ExpectedStreamHeader = "Nats-Expected-Stream";

    private readonly MessageHold _hold;
    private readonly ReadAhead _readAhead;
    private readonly INatsConnection _connection;
    private readonly string _subject;
    private readonly NatsForwardOptions _options;
    private readonly NatsBridgeStatistics _statistics;
    private readonly ILogger? _logger;
    private readonly string _bridgeId;
    private readonly ulong _fingerprint;
    private readonly OutboundRecordCheck _check;
    private readonly NatsHeaders _headers = new();
    private readonly InFlightWindow _window;
    private readonly string _inbox;
    private readonly long _ackTimeoutTicks;
    private long _sequence;
    private int _failures;
    private string? _failure;

    public JetStreamPipeline(MessageHold hold, ReadAhead readAhead, INatsConnection connection, string subject, NatsForwardOptions options,
        NatsBridgeStatistics statistics, string bridgeId, ulong fingerprint, OutboundRecordCheck check)
    {
        _check = check;
        _hold = hold;
        _readAhead = readAhead;
        _connection = connection;
        _subject = subject;
        _options = options;
        _statistics = statistics;
        _logger = options.Logger;
        _bridgeId = bridgeId;
        _fingerprint = fingerprint;
        _window = new InFlightWindow(options.MaxInFlight, options.MaxInFlightBytes);
        // Not under the connection's own inbox prefix (NewInbox): NATS.Net routes that prefix through its request
        // muxer, by exact subject, and a wildcard subscription under it would never be handed a message.
        _inbox = "_INBOX." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(11)) + ".";
        _ackTimeoutTicks = (long)(options.AckTimeout.TotalSeconds * Stopwatch.Frequency);
        if (options.Stream is not null)
        {
            _headers[ExpectedStreamHeader] = options.Stream;
        }
    }

    /// <summary>Forwards until the channel is completed and drained; the reader holds a record when this starts.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Subscribed before the first publish on the same connection: the server sees the SUB first, so no
        // acknowledgement can arrive before there is somebody to take it.
        await using INatsSub<PubAckResponse> acks = await _connection.SubscribeCoreAsync(_inbox + "*",
            serializer: NatsJSJsonSerializer<PubAckResponse>.Default, cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                TakeAcknowledgements(acks);
                ReleaseAcknowledged();
                if (_window.IsEmpty && !_hold.IsHolding)
                {
                    if (!_hold.TryHold(out _))
                    {
                        if (!await _hold.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            return;
                        }

                        continue;
                    }
                }

                if (_failure is not null)
                {
                    await RetryAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                if (_window.IsEmpty)
                {
                    // The reader holds a committed record, which the spy reads as committed too.
                    throw Disagrees(_hold.Position, -1);
                }

                await WaitForAcknowledgementAsync(acks, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (_hold.IsHolding)
            {
                // Cancelled or failed: the oldest unacknowledged record (and all after it) stays for the next reader.
                _hold.Return();
            }
        }
    }

    // Publishes what is committed while the window has room; true when it published anything.
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_window.IsEmpty && _readAhead.NextPosition != _hold.Position)
        {
            // The reader went past padding the spy had not read yet (it found it committed when the spy had not), and
            // an MPSC reader zeroes what it consumes, padding included: the spy starts again at the record now held.
            _readAhead.Rewind(_hold.Position);
        }

        bool published = false;
        while (_window.Count < _window.Capacity && _readAhead.TryRead(out ReadOnlyMemory<byte> record, out long position))
        {
            if (_window.IsEmpty && position != _hold.Position)
            {
                throw Disagrees(position, record.Length);
            }

            if (!_window.HasRoomFor(record.Length))
            {
                // Read, not taken: it is read again once the window has room (the next fill starts over from the spy).
                _readAhead.PutBack(record, position);
                break;
            }

            // Before it joins the window: a malformed record is never published, and stays in the ring with all after it.
            _check.Ensure(record.Span, position);
            ref InFlightWindow.Entry entry = ref _window.Add(position, record.Length, ++_sequence);
            if (!await TryPublishAsync(record, entry.Sequence, cancellationToken).ConfigureAwait(false))
            {
                return true; // in the window, unacknowledged: the retry publishes it again
            }

            published = true;
        }

        return published;
    }

    // A publish the client refuses (the connection failed and gave up, for one) is a failure like a missing
    // acknowledgement: the record is in the window, and the retry publishes it again.
    private async ValueTask<bool> TryPublishAsync(ReadOnlyMemory<byte> record, long sequence, CancellationToken cancellationToken)
    {
        try
        {
            await PublishAsync(record, ref _window.At(_window.IndexOf(sequence)), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (NatsPayloadTooLargeException e)
        {
            // No retry gets it through: it stays held in the ring (the finally of RunAsync returns it), unpublished.
            throw NatsBridgeException.TooLarge(_subject, record.Length, e);
        }
        catch (NatsException e)
        {
            Fail(sequence, e.Message);
            return false;
        }
    }

    private ValueTask PublishAsync(ReadOnlyMemory<byte> record, ref InFlightWindow.Entry entry, CancellationToken cancellationToken)
    {
        // The headers object (JetStream's own headers only: the bridge's metadata is in the envelope) is written into
        // the connection's buffer during the call; each publish is awaited before the next, so one object serves all.
        _headers[MessageIdHeader] = string.Concat(_bridgeId, "-p", entry.Position.ToString(CultureInfo.InvariantCulture));
        entry.Deadline = Stopwatch.GetTimestamp() + _ackTimeoutTicks;
        var message = new EnvelopedPayload(new Envelope(EnvelopeKind.Record, _fingerprint, entry.Sequence), record);
        return _connection.PublishAsync(_subject, message, _headers, replyTo: string.Concat(_inbox, entry.Sequence.ToString(CultureInfo.InvariantCulture)),
            serializer: EnvelopedPayloadSerializer.Default, cancellationToken: cancellationToken);
    }

    private void TakeAcknowledgements(INatsSub<PubAckResponse> acks)
    {
        while (acks.Msgs.TryRead(out NatsMsg<PubAckResponse> ack))
        {
            if (!long.TryParse(ack.Subject.AsSpan(_inbox.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
            {
                continue;
            }

            int index = _window.IndexOf(sequence);
            if (index < 0)
            {
                continue; // an acknowledgement of an earlier attempt at a record already released
            }

            ref InFlightWindow.Entry entry = ref _window.At(index);
            if (entry.Acknowledged)
            {
                continue; // the answer to a retry of a record already confirmed: the first answer counts
            }

            if (ack.HasNoResponders)
            {
                Fail(entry.Sequence, "no responders: is JetStream enabled, and does a stream store the subject?");
            }
            else if (ack.Error is not null || ack.Data is null)
            {
                Fail(entry.Sequence, ack.Error?.Message ?? "an empty acknowledgement");
            }
            else if (ack.Data.Error is { } error)
            {
                if (NatsBridgeException.IsForGood(error))
                {
                    throw NatsBridgeException.RefusedForGood(entry.Sequence, _subject, _options.Stream, error);
                }

                Fail(entry.Sequence, $"{error.Description} (code {error.Code})");
            }
            else if (_options.Stream is not null && !string.Equals(ack.Data.Stream, _options.Stream, StringComparison.Ordinal))
            {
                // The server checks Nats-Expected-Stream, so its answer names Stream: this one is not the server's
                // answer to this publish (a client that can publish on the inbox, a misrouted reply). Releasing on it
                // would drop a record the stream may never have stored; it is published again instead.
                Fail(entry.Sequence, $"an acknowledgement from stream '{ack.Data.Stream}', not '{_options.Stream}'");
            }
            else
            {
                entry.Acknowledged = true;
                entry.Duplicate |= ack.Data.Duplicate;
            }
        }
    }

    // Only the oldest is ever released, and only once acknowledged: the ring's Head never passes an unconfirmed record.
    private void ReleaseAcknowledged()
    {
        while (!_window.IsEmpty && _window.Front.Acknowledged)
        {
            InFlightWindow.Entry released = _window.Front;
            _window.RemoveFront();
            _hold.Release();
            if (released.Duplicate)
            {
                _statistics.CountDuplicate();
            }

            _statistics.CountMessage(released.Length);
            if (_failures > 0)
            {
                _logger?.LogInformation("NATS bridge {Bridge}: message {Sequence} on '{Subject}' acknowledged after {Failures} failed attempt(s).",
                    _bridgeId, released.Sequence, _subject, _failures);
                _failures = 0;
            }

            if (_window.IsEmpty)
            {
                return;
            }

            // The next oldest was read ahead and published; now the reader holds it, and must find it where the spy did.
            ref InFlightWindow.Entry next = ref _window.Front;
            if (!_hold.TryHold(out ReadOnlyMemory<byte> record) || _hold.Position != next.Position || record.Length != next.Length)
            {
                throw Disagrees(next.Position, next.Length);
            }
        }
    }

    private async ValueTask WaitForAcknowledgementAsync(INatsSub<PubAckResponse> acks, CancellationToken cancellationToken)
    {
        long remaining = _window.Front.Deadline - Stopwatch.GetTimestamp();
        if (remaining > 0)
        {
            ValueTask<bool> more = acks.Msgs.WaitToReadAsync(cancellationToken);
            if (more.IsCompleted)
            {
                await more.ConfigureAwait(false);
                return;
            }

            try
            {
                await more.AsTask().WaitAsync(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency), cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TimeoutException)
            {
                // The oldest publish's acknowledgement is overdue: below.
            }
        }

        Fail(_window.Front.Sequence, $"no acknowledgement within {_options.AckTimeout.TotalMilliseconds} ms");
    }

    private void Fail(long sequence, string why) => _failure ??= $"message {sequence}: {why}";

    // Go-back-N: every unacknowledged record of the window is published again, in order, under its message id.
    private async ValueTask RetryAsync(CancellationToken cancellationToken)
    {
        _failures++;
        _statistics.CountRetry();
        if (_failures == 1)
        {
            _logger?.LogWarning("NATS bridge {Bridge}: publishing on '{Subject}' failed ({Error}); publishing the {Count} unacknowledged message(s) again every {Delay} ms.",
                _bridgeId, _subject, _failure, _window.Count, _options.RetryDelay.TotalMilliseconds);
        }

        _failure = null;
        await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
        _readAhead.Rewind(_hold.Position);
        for (int index = 0; index < _window.Count; index++)
        {
            ref InFlightWindow.Entry entry = ref _window.At(index);
            if (!_readAhead.TryRead(out ReadOnlyMemory<byte> record, out long position) || position != entry.Position || record.Length != entry.Length)
            {
                throw Disagrees(entry.Position, entry.Length);
            }

            if (!entry.Acknowledged && !await TryPublishAsync(record, entry.Sequence, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    private NatsBridgeException Disagrees(long position, int length) => new(
        $"NATS bridge {_bridgeId} on '{_subject}': the record read ahead at position {position} ({length} bytes) is not the one the reader holds " +
        $"(position {(_hold.IsHolding ? _hold.Position : -1)}). Nothing past the oldest unacknowledged record was released; restart the bridge.");
}
