using System;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// A real <see cref="INatsConnection"/> whose client refuses chosen publishes with a <see cref="NatsException"/>, as
/// NATS.Net does when its connection has failed: everything else (and every other publish) goes to the real
/// connection and a real server. Or (<see cref="WrapForging"/>) chosen publishes never reach the server: in their
/// place an acknowledgement naming another stream goes to their reply subject over the real connection, as a client
/// able to publish on the bridge's inbox (or a misrouted reply) would send.
/// </summary>
public class FailingPublishes : DispatchProxy
{
    private INatsConnection _inner = null!;
    private Func<int, bool> _fails = null!;
    private int _replyPublishes;
    private bool _forgesAcknowledgements;

    /// <summary>How many publishes were refused (or forged).</summary>
    public int Refused { get; private set; }

    /// <summary>
    /// Wraps <paramref name="inner"/>: the n-th publish with a reply subject (from 1; a windowed JetStream publish)
    /// fails when <paramref name="fails"/>(n) says so.
    /// </summary>
    public static INatsConnection Wrap(INatsConnection inner, Func<int, bool> fails, out FailingPublishes proxy)
    {
        INatsConnection connection = Create<INatsConnection, FailingPublishes>();
        proxy = (FailingPublishes)(object)connection;
        proxy._inner = inner;
        proxy._fails = fails;
        return connection;
    }

    /// <summary>Wraps <paramref name="inner"/>: the n-th publish with a reply subject is answered by a forged acknowledgement when <paramref name="forges"/>(n) says so.</summary>
    public static INatsConnection WrapForging(INatsConnection inner, Func<int, bool> forges, out FailingPublishes proxy)
    {
        INatsConnection connection = Wrap(inner, forges, out proxy);
        proxy._forgesAcknowledgements = true;
        return connection;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(INatsConnection.PublishAsync) && args is { Length: 7 } && args[3] is string
            && _fails(Interlocked.Increment(ref _replyPublishes)))
        {
            Refused++;
            if (_forgesAcknowledgements)
            {
                return _inner.PublishAsync((string)args[3]!, System.Text.Encoding.UTF8.GetBytes($"{{\"stream\":\"SOMEONE-ELSE\",\"seq\":{Refused}}}"));
            }

            return new ValueTask(Task.FromException(new NatsException("injected: the client refused the publish")));
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
