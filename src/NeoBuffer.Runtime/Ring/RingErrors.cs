using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace NeoBuffer.Ring;

/// <summary>Misuse of a channel endpoint that every topology reports the same way.</summary>
internal static class RingErrors
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowClaimOpen() =>
        throw new InvalidOperationException("A claim is already open on this writer: commit or abort it (dispose the WriteClaim) before claiming again.");

    /// <summary>A message longer than the channel's maximum: the same words from every place that checks it.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowTooLarge(string channel, int length, int maxPayload) =>
        throw new ArgumentOutOfRangeException(nameof(length), length,
            $"A message of {length} bytes is larger than channel '{channel}' allows ({maxPayload} bytes). Create the channel with a larger MaxMessageSize (and Capacity).");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowLeaseOpen() =>
        throw new InvalidOperationException("A read lease is already held on this reader: dispose it before reading again.");
}
