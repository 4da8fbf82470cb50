using System.Runtime.InteropServices;

namespace NeoBuffer.Requests;

/// <summary>
/// The 16 bytes in front of every record of a server's request ring (docs/format.md, "Request/response"); the request
/// message follows it, 8-aligned like any payload.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct RequestEnvelope
{
    public const int Size = 16;

    /// <summary>Request: the id the client's library gave it, echoed in the response. Connect: the client's token.</summary>
    public long CorrelationId;

    /// <summary>The id the server gave the client at connect (0 in a connect record).</summary>
    public int ClientId;

    /// <summary>A <see cref="RequestKind"/>.</summary>
    public int Kind;
}

/// <summary>What a request-ring record is.</summary>
internal static class RequestKind
{
    /// <summary>A new client: the UTF-8 name of its response channel follows.</summary>
    public const int Connect = 1;

    /// <summary>A request: the request message follows.</summary>
    public const int Request = 2;

    /// <summary>The client is leaving: the server lets go of its response channel.</summary>
    public const int Disconnect = 3;
}
