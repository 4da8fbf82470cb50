using System.Runtime.InteropServices;

namespace NeoBuffer.Requests;

/// <summary>
/// The 24 bytes in front of every record of a service ring and of a client's request ring (docs/format.md,
/// "Request/response"); the request message (or a connect record's channel name) follows it, 8-aligned like any payload.
/// </summary>
/// <remarks>
/// Every record carries its client's connect token, and the server acts on a request or a disconnect only if the token
/// is the one the client connected with: one 8-byte compare per record, against a value the server already holds for
/// the client. So a process that writes into the service ring cannot disconnect another client by writing its id (ids
/// are small counters anyone can guess); it would need the token, which travels only in that client's own records and
/// ring header (docs/security.md says who can read those). Requests are read only from the client's own ring.
/// </remarks>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct RequestEnvelope
{
    public const int Size = 24;

    /// <summary>Request: the id the client's library gave it, echoed in the response. Connect and disconnect: 0.</summary>
    public long CorrelationId;

    /// <summary>The id the server gave the client at connect (0 in a connect record).</summary>
    public int ClientId;

    /// <summary>A <see cref="RequestKind"/>.</summary>
    public int Kind;

    /// <summary>The client's connect token (<see cref="ConnectToken"/>), in every record it writes, the connect record included.</summary>
    public long Token;
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
