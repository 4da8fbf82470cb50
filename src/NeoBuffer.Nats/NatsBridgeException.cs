using System;

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
}
