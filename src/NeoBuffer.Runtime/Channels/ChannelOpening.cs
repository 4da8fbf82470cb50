using System;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// The two ways for either side to start first: open-or-create, and opens that wait for the channel to be created.
/// </summary>
internal static class ChannelOpening
{
    // Each lost race means another process created or removed the channel between our two steps; a few in a row is
    // already implausible, so the loop is bounded and the last error surfaces.
    private const int MaxRaces = 8;

    // Polling interval of a waiting open: from 1 ms, doubled up to this, so an open soon after the create is quick and
    // a long wait costs a directory lookup every 50 ms.
    private const int MaxPollMilliseconds = 50;

    /// <summary>Opens the channel, or creates it when it does not exist; a create that loses to another creator opens.</summary>
    public static TEndpoint OpenOrCreate<TEndpoint>(Func<TEndpoint> open, Func<TEndpoint> create)
    {
        for (int race = 0; ; race++)
        {
            try
            {
                return open();
            }
            catch (ChannelNotFoundException) when (race < MaxRaces)
            {
            }

            try
            {
                return create();
            }
            catch (ChannelExistsException) when (race < MaxRaces)
            {
            }
        }
    }

    /// <summary>Opens the channel, waiting up to <paramref name="timeout"/> for it to be created.</summary>
    public static TEndpoint OpenWhenCreated<TEndpoint>(string name, Func<TEndpoint> open, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long start = CheckTimeout(timeout);
        for (int poll = 1; ; poll = Math.Min(poll * 2, MaxPollMilliseconds))
        {
            if (TryOpen(open, cancellationToken, out TEndpoint? endpoint))
            {
                return endpoint;
            }

            cancellationToken.WaitHandle.WaitOne(NextPoll(name, start, timeout, poll));
        }
    }

    /// <summary>Opens the channel, waiting asynchronously (no thread blocked) up to <paramref name="timeout"/> for it to be created.</summary>
    public static async ValueTask<TEndpoint> OpenWhenCreatedAsync<TEndpoint>(string name, Func<TEndpoint> open, TimeSpan timeout, CancellationToken cancellationToken)
    {
        long start = CheckTimeout(timeout);
        for (int poll = 1; ; poll = Math.Min(poll * 2, MaxPollMilliseconds))
        {
            if (TryOpen(open, cancellationToken, out TEndpoint? endpoint))
            {
                return endpoint;
            }

            await Task.Delay(NextPoll(name, start, timeout, poll), cancellationToken).ConfigureAwait(false);
        }
    }

    // One attempt of a waiting open: a missing channel is the only error worth waiting out.
    private static bool TryOpen<TEndpoint>(Func<TEndpoint> open, CancellationToken cancellationToken, [MaybeNullWhen(false)] out TEndpoint endpoint)
    {
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            endpoint = open();
            return true;
        }
        catch (ChannelNotFoundException)
        {
            endpoint = default;
            return false;
        }
    }

    private static long CheckTimeout(TimeSpan timeout)
    {
        if (timeout != Timeout.InfiniteTimeSpan && timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative, or Timeout.InfiniteTimeSpan.");
        }

        return Stopwatch.GetTimestamp();
    }

    // How long to sleep before the next attempt; throws once the time is up.
    private static int NextPoll(string name, long start, TimeSpan timeout, int poll)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return poll;
        }

        TimeSpan left = timeout - Stopwatch.GetElapsedTime(start);
        if (left <= TimeSpan.Zero)
        {
            throw new TimeoutException($"Channel '{name}' was not created within {timeout.TotalMilliseconds:0.###} ms.");
        }

        return (int)Math.Min(poll, Math.Ceiling(left.TotalMilliseconds));
    }
}
