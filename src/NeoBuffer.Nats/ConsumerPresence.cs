using System;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace NeoBuffer.Nats;

/// <summary>
/// Ends a JetStream consumption whose durable consumer no longer exists. NATS.Net reports a consumer deleted under a
/// pull that is waiting (status 409) by ending the consumption with its exception; but once one is deleted between
/// pulls, every later pull goes to nobody, and NATS.Net only reports that (no responders, missed heartbeats) and pulls
/// again, for good: the bridge would wait forever. On each such report this asks the server for the consumer, and when
/// the server answers that it (or its stream) is not there, cancels <see cref="Token"/> and keeps the answer in
/// <see cref="Lost"/>. A server that does not answer (a node failing over) is no answer: consumption goes on.
/// </summary>
internal sealed class ConsumerPresence : IDisposable
{
    private readonly INatsJSContext _js;
    private readonly string _stream;
    private readonly string _consumer;
    private readonly CancellationTokenSource _consuming;
    private string? _lost;

    public ConsumerPresence(INatsJSContext js, string stream, string consumer, CancellationToken cancellationToken)
    {
        _js = js;
        _stream = stream;
        _consumer = consumer;
        _consuming = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>Pass to the consumption: cancelled with the caller's token, or once the consumer is known gone.</summary>
    public CancellationToken Token => _consuming.Token;

    /// <summary>The server's word that the consumer or its stream is gone; null while it is not known to be.</summary>
    // Written before the cancellation, which publishes it to whoever observes the token cancelled.
    public string? Lost => Volatile.Read(ref _lost);

    /// <summary>The consumption's notification handler.</summary>
    public async Task OnNotificationAsync(INatsJSNotification notification, CancellationToken cancellationToken)
    {
        if (notification is not (NatsJSNoRespondersNotification or NatsJSTimeoutNotification) || Lost is not null)
        {
            return;
        }

        try
        {
            await _js.GetConsumerAsync(_stream, _consumer, cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            Volatile.Write(ref _lost, e.Error.Description);
            _consuming.Cancel();
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            // No answer: the server may be failing over, and the consumption's own retries go on.
        }
    }

    public void Dispose() => _consuming.Dispose();
}
