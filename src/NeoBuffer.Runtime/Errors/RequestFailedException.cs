using System;

namespace NeoBuffer;

/// <summary>
/// The server answered a request with a failure instead of a response: its handler threw, or it ended the request
/// without replying. The message carries the server's reason.
/// </summary>
public sealed class RequestFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RequestFailedException(string message) : base(message)
    {
    }
}
