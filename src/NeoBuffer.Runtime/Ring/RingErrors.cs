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

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowLeaseOpen() =>
        throw new InvalidOperationException("A read lease is already held on this reader: dispose it before reading again.");
}
