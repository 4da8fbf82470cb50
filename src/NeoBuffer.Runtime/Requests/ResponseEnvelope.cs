using System.Runtime.InteropServices;

namespace NeoBuffer.Requests;

/// <summary>The 16 bytes in front of every record of a client's response ring; the response message (or error text) follows.</summary>
[StructLayout(LayoutKind.Sequential, Size = Size)]
internal struct ResponseEnvelope
{
    public const int Size = 16;

    /// <summary>The request's correlation id; in a connect acknowledgement, the client's token.</summary>
    public long CorrelationId;

    /// <summary>A <see cref="ResponseStatus"/>.</summary>
    public int Status;

    /// <summary>In a connect acknowledgement, the client's id; else 0 (a response with another value is dropped).</summary>
    public int Value;
}

/// <summary>What a response-ring record is.</summary>
internal static class ResponseStatus
{
    /// <summary>The response message follows.</summary>
    public const int Ok = 0;

    /// <summary>The server failed the request: UTF-8 text saying why follows, at most <see cref="MaxReasonLength"/> bytes.</summary>
    public const int Failed = 1;

    /// <summary>The server accepted the connection; <see cref="ResponseEnvelope.Value"/> is the client's id.</summary>
    public const int Connected = 2;

    /// <summary>The most bytes of a failure's reason the client reads (a server sends no more).</summary>
    public const int MaxReasonLength = 1024;
}
