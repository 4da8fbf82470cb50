using System;
using NATS.Client.Core;
using NATS.Client.JetStream.Models;

namespace NeoBuffer.Nats;

/// <summary>A NATS bridge cannot go on: the server refused something for good. The message says what and why.</summary>
public sealed class NatsBridgeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NatsBridgeException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with the NATS client's exception as its cause.</summary>
    public NatsBridgeException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>JetStream answered a publish with an error no retry gets over (4xx but 408).</summary>
    internal static NatsBridgeException RefusedForGood(long sequence, string subject, string? stream, ApiError error, Exception? innerException = null) =>
        RefusedForGood($"message {sequence}", subject, stream, error, innerException);

    /// <summary>JetStream answered a publish of <paramref name="what"/> (a message, the end marker) with an error no retry gets over.</summary>
    internal static NatsBridgeException RefusedForGood(string what, string subject, string? stream, ApiError error, Exception? innerException = null)
    {
        string message = $"JetStream refused {what} on '{subject}' for good: {error.Description} (code {error.Code}, error {error.ErrCode}). " +
            "Check that a stream stores the subject" + (stream is null ? "." : $" and that it is '{stream}'.");
        return innerException is null ? new NatsBridgeException(message) : new NatsBridgeException(message, innerException);
    }

    /// <summary>
    /// A record the server can never take: with its envelope (and, in JetStream mode, its headers) it is larger than the
    /// server's max_payload. Retrying cannot get it through, so the bridge stops before it; a held record stays in the ring.
    /// </summary>
    internal static NatsBridgeException TooLarge(string subject, int recordLength, NatsPayloadTooLargeException innerException) => new(
        $"A record of {recordLength} bytes cannot be published on '{subject}': {innerException.Message}. Everything before it was published. " +
        "Raise max_payload in the nats-server configuration (or lower the channel's MaxMessageSize) and start the bridge again.", innerException);

    /// <summary>Whether a JetStream error is one a retry cannot get over: a client error (4xx) other than a timeout (408).</summary>
    internal static bool IsForGood(ApiError error) => error.Code is >= 400 and < 500 && error.Code != 408;
}
