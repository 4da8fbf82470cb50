using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace NeoBuffer.Nats;

/// <summary>One run of an inbound bridge: NATS subject to local channel.</summary>
internal sealed class Receiver
{
    private static readonly NatsRawSerializer<NatsMemoryOwner<byte>> Raw = NatsRawSerializer<NatsMemoryOwner<byte>>.Default;

    private readonly INatsConnection _connection;
    private readonly string _subject;
    private readonly SharedChannelWriter _writer;
    private readonly MessageLayout? _layout;
    private readonly NatsReceiveOptions _options;
    private readonly NatsBridgeStatistics _statistics;
    private readonly ILogger? _logger;
    private readonly RecordCheck _check;
    private readonly ulong _fingerprint;
    private readonly string _fingerprintText; // as outbound bridges write it: the common case needs no parsing
    private readonly HashSet<string> _refusedSchemas = new(StringComparer.Ordinal);
    private int _malformedLogged;

    public Receiver(INatsConnection connection, string subject, SharedChannelWriter writer, MessageLayout? layout, NatsReceiveOptions options)
    {
        _connection = connection;
        _subject = subject;
        _writer = writer;
        _layout = layout;
        _options = options;
        _statistics = options.Statistics ?? new NatsBridgeStatistics();
        _logger = options.Logger;
        _check = new RecordCheck(layout);
        _fingerprint = layout?.Fingerprint ?? 0;
        _fingerprintText = _fingerprint.ToString("x16", CultureInfo.InvariantCulture);
    }

    public Task<NatsBridgeStatistics> RunAsync(CancellationToken cancellationToken) =>
        _options.Mode == NatsBridgeMode.JetStream ? RunJetStreamAsync(cancellationToken) : RunCoreAsync(cancellationToken);

    private async Task<NatsBridgeStatistics> RunCoreAsync(CancellationToken cancellationToken)
    {
        INatsSub<NatsMemoryOwner<byte>> subscription = await _connection.SubscribeCoreAsync(_subject, serializer: Raw, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        ValueTask OnDropped(object? sender, NatsMessageDroppedEventArgs e)
        {
            if (ReferenceEquals(e.Subscription, subscription))
            {
                _statistics.CountDropped();
            }

            return ValueTask.CompletedTask;
        }

        ValueTask OnSlowConsumer(object? sender, NatsSlowConsumerEventArgs e)
        {
            if (ReferenceEquals(e.Subscription, subscription))
            {
                _statistics.CountSlowConsumer();
                _logger?.LogWarning("NATS bridge into '{Channel}': slow consumer on '{Subject}'; the NATS client drops what its pending buffer cannot hold (core mode is at most once).",
                    _writer.Name, _subject);
            }

            return ValueTask.CompletedTask;
        }

        _connection.MessageDropped += OnDropped;
        _connection.SlowConsumerDetected += OnSlowConsumer;
        try
        {
            // The round trip proves the server processed the SUB sent before it.
            await _connection.PingAsync(cancellationToken).ConfigureAwait(false);
            _options.Ready?.Invoke();
            ChannelReader<NatsMsg<NatsMemoryOwner<byte>>> messages = subscription.Msgs;
            while (await messages.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (messages.TryRead(out NatsMsg<NatsMemoryOwner<byte>> message))
                {
                    using NatsMemoryOwner<byte> data = message.Data;
                    Outcome outcome = await ProcessAsync(message.Headers, data.Memory, cancellationToken).ConfigureAwait(false);
                    if (outcome == Outcome.Finished)
                    {
                        return _statistics;
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new NatsBridgeException($"The NATS subscription to '{_subject}' ended unexpectedly (the connection was disposed?).");
        }
        finally
        {
            _connection.MessageDropped -= OnDropped;
            _connection.SlowConsumerDetected -= OnSlowConsumer;
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<NatsBridgeStatistics> RunJetStreamAsync(CancellationToken cancellationToken)
    {
        var js = new NatsJSContext(_connection);
        var config = new ConsumerConfig(_options.Consumer!)
        {
            FilterSubject = _subject,
            AckPolicy = ConsumerConfigAckPolicy.Explicit,
            DeliverPolicy = ConsumerConfigDeliverPolicy.All,
            AckWait = _options.AckWait,
            MaxAckPending = _options.MaxAckPending,
        };
        INatsJSConsumer consumer;
        try
        {
            consumer = await js.CreateOrUpdateConsumerAsync(_options.Stream!, config, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e)
        {
            throw new NatsBridgeException(
                $"JetStream refused consumer '{_options.Consumer}' on stream '{_options.Stream}' for '{_subject}': {e.Error.Description} (code {e.Error.Code}). " +
                "Does the stream exist and store that subject (NatsBridge.CreateStreamAsync)?", e);
        }

        // A redelivery of what this run already committed (its acknowledgement was lost) is acknowledged again, not
        // written twice. This run takes each message to its commit or refusal before the next, and the consumer hands
        // out new messages in stream order, so a redelivery between the first new message of this run and the last
        // committed one is such a repeat. Below that first one it is a message an earlier run pulled and never
        // acknowledged: written now, late but not lost.
        ulong firstNew = ulong.MaxValue;
        ulong lastCommitted = 0;

        // What earlier runs pulled and never acknowledged: the server redelivers it after AckWait, behind newer messages.
        long outstandingAtStart = consumer.Info.NumAckPending;
        long redelivered = 0;

        // Short pulls with frequent heartbeats: a pull that a restarted or failed-over server forgot is noticed within
        // seconds (the client's default of 30 s pulls would stall delivery that long). The batch bounds what waits in
        // the client's memory for room in the ring.
        var consumeOptions = new NatsJSConsumeOpts
        {
            MaxMsgs = Math.Min(_options.MaxAckPending, 256),
            Expires = TimeSpan.FromSeconds(4),
            IdleHeartbeat = TimeSpan.FromSeconds(1),
        };
        _options.Ready?.Invoke();
        await foreach (NatsJSMsg<NatsMemoryOwner<byte>> message in consumer.ConsumeAsync(Raw, consumeOptions, cancellationToken).ConfigureAwait(false))
        {
            using NatsMemoryOwner<byte> data = message.Data;
            ulong streamSequence = message.Metadata?.Sequence.Stream ?? 0;
            bool isRedelivery = message.Metadata?.NumDelivered > 1;
            if (!isRedelivery)
            {
                firstNew = Math.Min(firstNew, streamSequence);
            }
            else if (streamSequence >= firstNew && streamSequence <= lastCommitted)
            {
                _statistics.CountDuplicate();
                await message.AckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (isRedelivery && !IsEnd(message.Headers))
            {
                redelivered++;
            }

            if (_options.CompleteOnEnd && IsEnd(message.Headers) && redelivered < outstandingAtStart &&
                await OthersOutstandingAsync(consumer, cancellationToken).ConfigureAwait(false))
            {
                // Messages an earlier run pulled and never acknowledged come back only after AckWait, behind the end
                // marker: completing now would lose them. The marker is put back to come after them.
                await message.NakAsync(new AckOpts { NakDelay = _options.AckWait }, cancellationToken).ConfigureAwait(false);
                continue;
            }

            Outcome outcome = await ProcessAsync(message.Headers, data.Memory, cancellationToken).ConfigureAwait(false);
            switch (outcome)
            {
                case Outcome.Refused:
                    // Never deliverable to this channel: tell the server not to redeliver it.
                    await message.AckTerminateAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    break;
                case Outcome.LocalChannelCompleted:
                    // Not committed: left unacknowledged, so the server redelivers it to whoever consumes next.
                    return _statistics;
                default:
                    // After the commit: a crash before this line redelivers the message rather than losing it.
                    await message.AckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    lastCommitted = Math.Max(lastCommitted, streamSequence);
                    if (outcome == Outcome.Finished)
                    {
                        return _statistics;
                    }

                    break;
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        throw new NatsBridgeException($"The JetStream consumer '{_options.Consumer}' on '{_options.Stream}' stopped delivering unexpectedly.");
    }

    private static bool IsEnd(NatsHeaders? headers) => headers is not null && headers.ContainsKey(NatsBridgeHeaders.End);

    // Asked only when earlier runs left messages unacknowledged and not all came back yet. The server may count an
    // acknowledgement it has not processed yet: then the marker waits one AckWait more, which is slow but not wrong.
    private static async ValueTask<bool> OthersOutstandingAsync(INatsJSConsumer consumer, CancellationToken cancellationToken)
    {
        await consumer.RefreshAsync(cancellationToken).ConfigureAwait(false);
        return consumer.Info.NumAckPending > 1;
    }

    private ValueTask<Outcome> ProcessAsync(NatsHeaders? headers, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        if (headers is not null && headers.TryGetLastValue(NatsBridgeHeaders.End, out string? end))
        {
            if (!_options.CompleteOnEnd)
            {
                return new ValueTask<Outcome>(Outcome.Written);
            }

            // The channel keeps only about 60 characters of the reason, so it gets the far side's own words, unwrapped.
            _writer.TryComplete(end == "ok" ? null : new Exception(end));
            return new ValueTask<Outcome>(Outcome.Finished);
        }

        if (!FingerprintMatches(headers))
        {
            return new ValueTask<Outcome>(Outcome.Refused);
        }

        string? problem = record.Length > _writer.MaxMessageSize
            ? $"the record has {record.Length} bytes, more than the channel's largest message ({_writer.MaxMessageSize} bytes)"
            : _check.Problem(record.Span);
        if (problem is not null)
        {
            _statistics.CountMalformed();
            if (_malformedLogged < 10)
            {
                _malformedLogged++;
                _logger?.LogWarning("NATS bridge into '{Channel}': refused a malformed record from '{Subject}' ({Sequence}): {Problem}.",
                    _writer.Name, _subject, Header(headers, NatsBridgeHeaders.Sequence), problem);
            }

            return new ValueTask<Outcome>(Outcome.Refused);
        }

        if (_writer.TryWrite(record.Span))
        {
            _statistics.CountMessage(record.Length);
            return new ValueTask<Outcome>(Outcome.Written);
        }

        return WriteSlowAsync(record, cancellationToken);
    }

    // The ring is full: wait for the local reader, which holds the NATS side back in turn (JetStream: no more pulls;
    // core: the client's pending buffer fills, and what overflows it is dropped and counted).
    private async ValueTask<Outcome> WriteSlowAsync(ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        while (!_writer.TryWrite(record.Span))
        {
            if (!await _writer.WaitToWriteAsync(record.Length, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false))
            {
                _logger?.LogInformation("NATS bridge into '{Channel}': the channel was completed locally; the bridge stops.", _writer.Name);
                return Outcome.LocalChannelCompleted;
            }
        }

        _statistics.CountMessage(record.Length);
        return Outcome.Written;
    }

    private bool FingerprintMatches(NatsHeaders? headers)
    {
        string? text = Header(headers, NatsBridgeHeaders.Fingerprint);
        if (string.Equals(text, _fingerprintText, StringComparison.Ordinal))
        {
            return true;
        }

        if (text is not null && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong fingerprint) && fingerprint == _fingerprint)
        {
            return true;
        }

        _statistics.CountRejected();
        string schema = Header(headers, NatsBridgeHeaders.Schema) ?? (text is null ? "(no NeoBuffer headers)" : "(raw bytes)");
        string key = $"{text}/{schema}";
        if (_refusedSchemas.Add(key))
        {
            _logger?.LogWarning(
                "NATS bridge into '{Channel}': refused messages on '{Subject}' of schema {Schema} (fingerprint {Fingerprint}); the channel carries {Expected} ({ExpectedFingerprint:x16}). " +
                "They are counted in Rejected and never written; this is logged once per schema.",
                _writer.Name, _subject, schema, text ?? "none", _layout?.Name ?? "raw bytes", _fingerprint);
        }

        return false;
    }

    private static string? Header(NatsHeaders? headers, string name) =>
        headers is not null && headers.TryGetLastValue(name, out string? value) ? value : null;

    private enum Outcome
    {
        Written,
        Refused,
        Finished,
        LocalChannelCompleted,
    }
}
