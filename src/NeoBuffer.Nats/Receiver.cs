using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace NeoBuffer.Nats;

/// <summary>One run of an inbound bridge: NATS subject to local channel.</summary>
internal sealed class Receiver : RingSubscription.IDirectWriter
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
    private readonly HashSet<string> _refusals = new(StringComparer.Ordinal);
    private int _malformedLogged;
    private INatsJSStream? _stream;
    private const int MaxKeptBatch = 4096;
    private ReadOnlyMemory<byte>[] _batch = new ReadOnlyMemory<byte>[64];

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
    }

    public Task<NatsBridgeStatistics> RunAsync(CancellationToken cancellationToken) =>
        _options.Mode == NatsBridgeMode.JetStream ? RunJetStreamAsync(cancellationToken) : RunCoreAsync(cancellationToken);

    private async Task<NatsBridgeStatistics> RunCoreAsync(CancellationToken cancellationToken)
    {
        var subscription = new RingSubscription(_connection, _subject, this, cancellationToken);
        try
        {
            await _connection.AddSubAsync(subscription, cancellationToken).ConfigureAwait(false);
            // The round trip proves the server processed the SUB sent before it.
            await _connection.PingAsync(cancellationToken).ConfigureAwait(false);
            _options.Ready?.Invoke();
            ChannelReader<QueuedMessage> queued = subscription.Queued;
            while (await queued.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (queued.TryRead(out QueuedMessage message))
                {
                    Outcome outcome;
                    try
                    {
                        outcome = await ProcessAsync(message.PreviousFormat, message.Payload, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        message.Return();
                        subscription.Handled(); // after the write: only then may NATS.Net's reader write again
                    }

                    // A channel completed here (by another of its writers) takes nothing more: the bridge ends, as
                    // at an end marker. Core mode is at most once, so the message that found it completed is gone.
                    if (outcome is Outcome.Finished or Outcome.LocalChannelCompleted)
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
            subscription.Close(); // no direct write is under way or can start: the caller may dispose the writer
            await subscription.DisposeAsync().ConfigureAwait(false);
            while (subscription.Queued.TryRead(out QueuedMessage left))
            {
                left.Return();
            }
        }
    }

    // On NATS.Net's socket reader, while nothing is queued (RingSubscription says why the ring then has no other
    // writer): a plain record message of this channel's fingerprint is copied from NATS.Net's read buffer into a claim,
    // checked there, and committed; anything else, or no room, is left to the loop, which copies, refuses, logs or waits.
    bool RingSubscription.IDirectWriter.TryWrite(in ReadOnlySequence<byte> payload)
    {
        long length = payload.Length - Envelope.Size;
        if (length <= 0 || length > _writer.MaxMessageSize)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[Envelope.Size];
        payload.Slice(0, Envelope.Size).CopyTo(prefix);
        if (Envelope.TryRead(prefix, out Envelope envelope, out _) != EnvelopeRead.Read || envelope.Kind != EnvelopeKind.Record || envelope.Fingerprint != _fingerprint)
        {
            return false;
        }

        WriteClaim claim;
        try
        {
            if (!_writer.TryClaim((int)length, out claim))
            {
                return false;
            }
        }
        catch (Exception e) when (e is System.Threading.Channels.ChannelClosedException or ObjectDisposedException or InvalidOperationException)
        {
            return false; // the loop meets the same state and says what it is
        }

        payload.Slice(Envelope.Size).CopyTo(claim.Payload);
        if (_check.Problem(claim.Payload) is not null)
        {
            claim.Abort();
            return false;
        }

        claim.Commit();
        _statistics.CountDirectRecord((int)length);
        return true;
    }

    void RingSubscription.IDirectWriter.Dropped(bool firstOfOverflow)
    {
        _statistics.CountDropped();
        if (firstOfOverflow)
        {
            _statistics.CountSlowConsumer();
            _logger?.LogWarning("NATS bridge into '{Channel}': slow consumer on '{Subject}'; what its pending buffer cannot hold is dropped (core mode is at most once).",
                _writer.Name, _subject);
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
        INatsJSConsumer consumer = await OpenConsumerAsync(js, config, cancellationToken).ConfigureAwait(false);

        // A delivery of what this run already committed is acknowledged again, not written twice (RecentCommits says
        // why only an exact match counts).
        var committed = new RecentCommits();

        // Short pulls with frequent heartbeats: a pull that a restarted or failed-over server forgot is noticed within
        // seconds (the client's default of 30 s pulls would stall delivery that long). The batch bounds what waits in
        // the client's memory for room in the ring.
        var consumeOptions = new NatsJSConsumeOpts
        {
            MaxMsgs = Math.Min(_options.MaxAckPending, 256),
            Expires = TimeSpan.FromSeconds(4),
            IdleHeartbeat = TimeSpan.FromSeconds(1),
        };
        using var presence = new ConsumerPresence(js, _options.Stream!, _options.Consumer!, cancellationToken);
        consumeOptions = consumeOptions with { NotificationHandler = presence.OnNotificationAsync };
        _options.Ready?.Invoke();
        try
        {
            await foreach (NatsJSMsg<NatsMemoryOwner<byte>> message in consumer.ConsumeAsync(Raw, consumeOptions, presence.Token).ConfigureAwait(false))
            {
                using NatsMemoryOwner<byte> data = message.Data;
                ulong streamSequence = message.Metadata?.Sequence.Stream ?? 0;
                ulong deliveries = message.Metadata?.NumDelivered ?? 0;
                if (_options.LosesDelivery?.Invoke(streamSequence, deliveries) == true)
                {
                    continue;
                }

                if (streamSequence != 0 && committed.Contains(streamSequence))
                {
                    _statistics.CountDuplicate();
                    await message.AckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (_options.CompleteOnEnd && IsEnd(data.Memory.Span))
                {
                    bool? acknowledged = await AllBeforeAcknowledgedAsync(message, streamSequence, consumer, cancellationToken).ConfigureAwait(false);
                    if (acknowledged is null)
                    {
                        continue; // the server did not answer (a node failing over): the marker, unacknowledged, comes again
                    }

                    if (acknowledged == false && deliveries < EndMarkerDeliveries)
                    {
                        // Something before the marker has no acknowledgement (pulled by an earlier run and never
                        // acknowledged, lost in flight to this one, or a lost acknowledgement): it comes back only after
                        // AckWait, behind the marker, and completing now would lose it. The marker is put back to come after it.
                        await message.NakAsync(new AckOpts { NakDelay = _options.AckWait }, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (acknowledged == false)
                    {
                        // Whatever was outstanding had AckWait several times over to come back, and did not: it is held
                        // elsewhere (another client of this consumer keeps it in progress) or stuck in the server's state.
                        // Waiting on would leave the channel open for good; it stays pending, for the next run.
                        _logger?.LogWarning(
                            "NATS bridge into '{Channel}': completing at the end marker (stream sequence {Marker}, delivered {Deliveries} times) although the consumer's acknowledgement floor stays at {Floor}; what is still unacknowledged before the marker goes to the next run under consumer '{Consumer}'.",
                            _writer.Name, streamSequence, deliveries, consumer.Info.AckFloor.StreamSeq, _options.Consumer);
                    }
                }

                // A JetStream message's headers are the stream's own (Nats-Msg-Id): the lookup is paid only here.
                bool previousFormat = message.Headers is { } headers && headers.ContainsKey(PreviousFormatHeader);
                Outcome outcome = await ProcessAsync(previousFormat, data.Memory, cancellationToken).ConfigureAwait(false);
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
                        if (streamSequence != 0)
                        {
                            committed.Add(streamSequence);
                        }

                        if (outcome == Outcome.Finished)
                        {
                            await AcknowledgeEndAsync(message, cancellationToken).ConfigureAwait(false);
                            return _statistics;
                        }

                        if (_options.LosesAcknowledgement?.Invoke(streamSequence, deliveries) != true)
                        {
                            await message.AckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                        }

                        break;
                }
            }
        }
        catch (OperationCanceledException) when (presence.Lost is not null && !cancellationToken.IsCancellationRequested)
        {
            // Below, as when the consumption ends without an exception.
        }
        catch (NatsException e) when (!cancellationToken.IsCancellationRequested)
        {
            // NATS.Net ends the consumption with its own exception when the server says the consumer is gone (deleted
            // by an operator, or by a stream's deletion) or refuses a pull for good: the caller gets the bridge's.
            throw new NatsBridgeException(
                $"The JetStream consumer '{_options.Consumer}' on '{_options.Stream}' failed while the bridge consumed '{_subject}': {e.Message}. " +
                "What this run committed was acknowledged; a consumer that was deleted is created again by the next run, which then receives the stream from its start.", e);
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (presence.Lost is { } lost)
        {
            throw new NatsBridgeException(
                $"The JetStream consumer '{_options.Consumer}' on '{_options.Stream}' is gone ({lost}) while the bridge consumed '{_subject}'. " +
                "What this run committed was acknowledged; the next run creates the consumer again and receives the stream from its start.");
        }

        throw new NatsBridgeException($"The JetStream consumer '{_options.Consumer}' on '{_options.Stream}' stopped delivering unexpectedly.");
    }

    // The durable consumer, created or updated to the bridge's configuration. One that exists for another subject is
    // refused, not taken over: its position in the stream is that subject's, and the server would move it to the
    // bridge's subject as it stands, so every message of the subject stored below it would never be delivered.
    private async Task<INatsJSConsumer> OpenConsumerAsync(NatsJSContext js, ConsumerConfig config, CancellationToken cancellationToken)
    {
        try
        {
            try
            {
                INatsJSConsumer existing = await js.GetConsumerAsync(_options.Stream!, _options.Consumer!, cancellationToken).ConfigureAwait(false);
                ConsumerConfig had = existing.Info.Config;
                if (!string.Equals(had.FilterSubject ?? "", _subject, StringComparison.Ordinal) || had.FilterSubjects is { Count: > 0 })
                {
                    string filter = had.FilterSubjects is { Count: > 0 } subjects ? string.Join(", ", subjects) : string.IsNullOrEmpty(had.FilterSubject) ? "every subject of the stream" : had.FilterSubject;
                    throw new NatsBridgeException(
                        $"JetStream consumer '{_options.Consumer}' on stream '{_options.Stream}' already exists for {filter}, not '{_subject}': its position in the stream " +
                        $"is not this subject's, and taking it over would skip every message of '{_subject}' stored below it. Give this bridge another Consumer name, or delete that consumer.");
                }
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
                // No such consumer (or no such stream, which the creation reports).
            }

            return await js.CreateOrUpdateConsumerAsync(_options.Stream!, config, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e)
        {
            throw new NatsBridgeException(
                $"JetStream refused consumer '{_options.Consumer}' on stream '{_options.Stream}' for '{_subject}': {e.Error.Description} (code {e.Error.Code}). " +
                "Does the stream exist and store that subject (NatsBridge.CreateStreamAsync)? A consumer of that name made otherwise (another deliver policy, a push consumer) " +
                "cannot be changed to the bridge's: give the bridge another Consumer name, or delete that consumer.", e);
        }
        catch (NatsNoRespondersException e)
        {
            throw new NatsBridgeException(
                $"Nobody answered the request for consumer '{_options.Consumer}' on stream '{_options.Stream}': is JetStream enabled on the server (nats-server -js) and for this account?", e);
        }
    }

    // How many times the end marker is delivered (each time after AckWait) before it completes the channel although
    // something before it is still unacknowledged: anything merely late has come back long before.
    private const ulong EndMarkerDeliveries = 4;

    private static bool IsEnd(ReadOnlySpan<byte> message) =>
        Envelope.TryRead(message, out Envelope envelope, out _) == EnvelopeRead.Read && envelope.Kind == EnvelopeKind.End;

    // Whether every message before the marker is acknowledged: the consumer's acknowledgement floor (below the lowest
    // message still pending) has reached the one before it. Messages after the marker (the next session's, another
    // end marker) do not hold it back; a message a failed-over leader still owes does. The server takes a consumer's
    // acknowledgements in order and answers a double acknowledgement once it has taken it: the marker's "in progress"
    // one, answered, means every acknowledgement this run sent before it is counted (else the floor read at once could
    // still stand below the last few, and the marker would wait an AckWait for nothing). Null when the server did not
    // answer. Two round trips per end marker.
    private async ValueTask<bool?> AllBeforeAcknowledgedAsync(NatsJSMsg<NatsMemoryOwner<byte>> marker, ulong markerSequence, INatsJSConsumer consumer, CancellationToken cancellationToken)
    {
        try
        {
            await marker.AckProgressAsync(new AckOpts { DoubleAck = true }, cancellationToken).ConfigureAwait(false);
            await consumer.RefreshAsync(cancellationToken).ConfigureAwait(false);
            ulong floor = consumer.Info.AckFloor.StreamSeq;
            return floor + 1 >= markerSequence || await NothingOfTheSubjectBetweenAsync(floor, markerSequence, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            _logger?.LogWarning("NATS bridge into '{Channel}': JetStream did not answer at the end marker ({Error}); the marker comes again after AckWait.", _writer.Name, e.Message);
            return null;
        }
    }

    // The floor may stand below messages this consumer never delivers: another subject's of the stream, or ones its
    // limits or a purge removed. The server moves the floor past those only while a later delivery is still pending,
    // so an acknowledgement that found nothing else pending leaves the floor at the message acknowledged, and a marker
    // stored after such a gap would wait for nothing (three AckWaits, then a false warning). What counts is whether a
    // message of the subject stands between the floor and the marker: the stream says which comes first after the
    // floor. One more round trip, only when the floor is below the marker's predecessor. No answer (a node failing
    // over, or a user allowed to consume but not to read the stream) counts as "not known": the marker is put back,
    // and completes by the delivery count at worst, as without this question.
    private async ValueTask<bool> NothingOfTheSubjectBetweenAsync(ulong floor, ulong markerSequence, CancellationToken cancellationToken)
    {
        try
        {
            _stream ??= await new NatsJSContext(_connection).GetStreamAsync(_options.Stream!, cancellationToken: cancellationToken).ConfigureAwait(false);
            StreamMsgGetResponse next = await _stream.GetAsync(new StreamMsgGetRequest { Seq = floor + 1, NextBySubj = _subject }, cancellationToken).ConfigureAwait(false);
            return next.Message.Seq >= markerSequence;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404 && e.Error.ErrCode == NoMessageFound)
        {
            return true; // nothing of the subject after the floor: the stream's limits removed the marker too
        }
        catch (Exception e) when (e is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            _logger?.LogDebug("NATS bridge into '{Channel}': the stream did not say what follows the acknowledgement floor ({Error}).", _writer.Name, e.Message);
            return false;
        }
    }

    // JetStream's error code for "no message found" (a 404 of its own; a missing stream is another).
    private const int NoMessageFound = 10037;

    // The marker's acknowledgement is confirmed: one lost on its way would leave the marker to the next run under this
    // consumer, which would complete its channel at once with nothing in it.
    private async ValueTask AcknowledgeEndAsync(NatsJSMsg<NatsMemoryOwner<byte>> marker, CancellationToken cancellationToken)
    {
        try
        {
            await marker.AckAsync(new AckOpts { DoubleAck = true }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            _logger?.LogWarning("NATS bridge into '{Channel}': the end marker's acknowledgement was not confirmed ({Error}); a later run under this consumer may see the marker again and complete its channel at once.", _writer.Name, e.Message);
        }
    }

    /// <summary>The previous wire format's header: a message from an outbound bridge of that format is refused by name.</summary>
    internal const string PreviousFormatHeader = "NeoBuffer-Fingerprint";

    // previousFormat: the message carried PreviousFormatHeader. Checked before the prefix: an old record could begin
    // with the magic by chance.
    private ValueTask<Outcome> ProcessAsync(bool previousFormat, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (previousFormat)
        {
            return Refuse("of the bridge's previous wire format (NeoBuffer-* headers, no envelope)",
                "upgrade the outbound bridge: this bridge reads only envelope version " + Envelope.CurrentVersion.ToString(CultureInfo.InvariantCulture));
        }

        switch (Envelope.TryRead(message.Span, out Envelope envelope, out byte version))
        {
            case EnvelopeRead.NotAnEnvelope:
                return Refuse("without a NeoBuffer envelope", "they were not published by a NeoBuffer bridge");
            case EnvelopeRead.OtherVersion:
                return Refuse($"of envelope version {version}",
                    $"this bridge reads only version {Envelope.CurrentVersion}: run the same NeoBuffer.Nats version on both sides");
        }

        if (envelope.Kind == EnvelopeKind.End)
        {
            if (!_options.CompleteOnEnd)
            {
                return new ValueTask<Outcome>(Outcome.Written);
            }

            // The channel keeps only about 60 characters of the reason, so it gets the far side's own words, unwrapped.
            ReadOnlySpan<byte> reason = message.Span[Envelope.Size..];
            _writer.TryComplete(reason.IsEmpty ? null : new Exception(Encoding.UTF8.GetString(reason)));
            return new ValueTask<Outcome>(Outcome.Finished);
        }

        if (envelope.Fingerprint != _fingerprint)
        {
            // A batch counts the records it says it has, as far as its length could hold them (it is not split).
            int records = envelope.Kind == EnvelopeKind.Batch ? Math.Clamp(envelope.Count, 1, Math.Max(1, (message.Length - Envelope.Size) / RecordBatch.FrameSize)) : 1;
            return Refuse($"of fingerprint {envelope.Fingerprint:x16}", records,
                $"the channel carries {_layout?.Name ?? "raw bytes"} ({_fingerprint:x16})");
        }

        if (envelope.Kind == EnvelopeKind.Batch)
        {
            return ProcessBatch(envelope, message[Envelope.Size..], cancellationToken);
        }

        // The record is the payload after the envelope, byte for byte what the outbound bridge read from its ring.
        ReadOnlyMemory<byte> record = message[Envelope.Size..];
        if (ProblemOf(record) is string problem)
        {
            RefuseMalformed(envelope.Sequence, problem);
            return new ValueTask<Outcome>(Outcome.Refused);
        }

        if (_writer.TryWrite(record.Span))
        {
            _statistics.CountMessage(record.Length);
            return new ValueTask<Outcome>(Outcome.Written);
        }

        return WriteSlowAsync(record, cancellationToken);
    }

    // A batch whose framing is broken is refused whole, before anything of it is written; in a well-framed one each
    // record is checked as a record message would be, and the good ones are written in order, as many as fit at once
    // with one publication, the rest as room comes.
    private ValueTask<Outcome> ProcessBatch(Envelope envelope, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        // One hostile batch of a hundred thousand empty records must not keep an array that size for good.
        if (_batch.Length > MaxKeptBatch && envelope.Count <= MaxKeptBatch)
        {
            _batch = new ReadOnlyMemory<byte>[MaxKeptBatch];
        }

        if (RecordBatch.TrySplit(body, envelope.Count, ref _batch) is string broken)
        {
            RefuseMalformed(envelope.Sequence, "a batch: " + broken);
            return new ValueTask<Outcome>(Outcome.Refused);
        }

        int good = 0;
        for (int i = 0; i < envelope.Count; i++)
        {
            if (ProblemOf(_batch[i]) is string problem)
            {
                RefuseMalformed(envelope.Sequence + i, problem);
                continue;
            }

            _batch[good++] = _batch[i];
        }

        int written = good == 0 ? 0 : _writer.TryWriteBatch(_batch.AsSpan(0, good));
        CountWritten(0, written);
        if (written == good)
        {
            return new ValueTask<Outcome>(good == 0 ? Outcome.Refused : Outcome.Written);
        }

        return WriteRestAsync(written, good, cancellationToken);
    }

    private async ValueTask<Outcome> WriteRestAsync(int written, int good, CancellationToken cancellationToken)
    {
        while (written < good)
        {
            Outcome outcome = await WriteSlowAsync(_batch[written], cancellationToken).ConfigureAwait(false);
            if (outcome != Outcome.Written)
            {
                return outcome;
            }

            written++;
            int more = _writer.TryWriteBatch(_batch.AsSpan(written, good - written));
            CountWritten(written, more);
            written += more;
        }

        return Outcome.Written;
    }

    private void CountWritten(int from, int count)
    {
        long bytes = 0;
        for (int i = from; i < from + count; i++)
        {
            bytes += _batch[i].Length;
        }

        _statistics.CountMessages(count, bytes);
    }

    private string? ProblemOf(ReadOnlyMemory<byte> record) =>
        record.Length > _writer.MaxMessageSize
            ? $"the record has {record.Length} bytes, more than the channel's largest message ({_writer.MaxMessageSize} bytes)"
            : _check.Problem(record.Span);

    private void RefuseMalformed(long sequence, string problem)
    {
        _statistics.CountMalformed();
        if (_malformedLogged < 10)
        {
            _malformedLogged++;
            _logger?.LogWarning("NATS bridge into '{Channel}': refused a malformed record from '{Subject}' (sequence {Sequence}): {Problem}.",
                _writer.Name, _subject, sequence, problem);
        }
    }

    // Counted in Rejected, never written; logged once per kind of refusal (a schema, a version, not ours).
    private ValueTask<Outcome> Refuse(string what, string why) => Refuse(what, 1, why);

    private ValueTask<Outcome> Refuse(string what, int records, string why)
    {
        _statistics.CountRejected(records);
        if (_refusals.Add(what))
        {
            _logger?.LogWarning(
                "NATS bridge into '{Channel}': refused messages on '{Subject}' {What}: {Why}. They are counted in Rejected and never written; this is logged once per kind.",
                _writer.Name, _subject, what, why);
        }

        return new ValueTask<Outcome>(Outcome.Refused);
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

    private enum Outcome
    {
        Written,
        Refused,
        Finished,
        LocalChannelCompleted,
    }
}
