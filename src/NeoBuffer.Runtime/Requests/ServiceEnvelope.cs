using System;
using System.Globalization;

namespace NeoBuffer.Requests;

/// <summary>
/// The version of the request/response envelopes (<see cref="RequestEnvelope"/>, <see cref="ResponseEnvelope"/>), named
/// by the first line of every service schema (<c>neobuffer-service N</c>). Both rings' schema checks compare it, so a
/// client and a server of different formats never exchange a record: the one that opens the other's ring is refused.
/// </summary>
internal static class ServiceEnvelope
{
    /// <summary>
    /// This build's format. 1: a 16-byte request envelope (no token); 2: the 24-byte request envelope that carries the
    /// client's connect token; 3: the same envelopes, but each client's requests travel in its own duplex channel (the
    /// connect record names it) and the service ring carries connects and disconnects only. Bump it with any change to
    /// either envelope, to what a record kind or status means, or to which ring carries what.
    /// </summary>
    public const int Format = 3;

    private const string Prefix = "neobuffer-service ";

    /// <summary>The first line of a service schema of envelope format <paramref name="format"/>.</summary>
    public static string FirstLine(int format) => Prefix + format.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The envelope format a service schema's first line names; false when <paramref name="schemaText"/> is no service
    /// schema (a channel of ordinary messages, or raw bytes). The text comes from a peer: parsed without trusting it.
    /// </summary>
    public static bool TryReadFormat(string schemaText, out int format)
    {
        format = 0;
        int end = schemaText.IndexOf('\n');
        ReadOnlySpan<char> line = (end < 0 ? schemaText : schemaText.Substring(0, end)).AsSpan();
        return line.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(line.Slice(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out format);
    }
}
