using System;
using System.Collections.Generic;

namespace NeoBuffer.Requests;

/// <summary>
/// What differs between a client's service schema and its server's, message by message (the request, the response),
/// for the refusal a client of other message types gets at connect. The request ring's own check compares the two
/// texts as one message schema each, which a service schema is not (two message schemas under a service line), so all
/// it could say was that the channel's schema text "does not parse".
/// </summary>
internal static class ServiceSchemaDifference
{
    private const string RequestLine = "request\n";
    private const string ResponseLine = "\nresponse\n";

    /// <summary>
    /// One line per message that differs, saying how; null when either text is no service schema (the caller's
    /// refusal stands as it is). The server's text comes from shared memory: it is split and parsed without trusting it.
    /// </summary>
    public static string? Explain(string ours, string theirs)
    {
        if (!TrySplit(ours, out string? ourRequest, out string? ourResponse) || !TrySplit(theirs, out string? theirRequest, out string? theirResponse))
        {
            return null;
        }

        var lines = new List<string>();
        Compare("request", ourRequest, theirRequest, lines);
        Compare("response", ourResponse, theirResponse, lines);
        return lines.Count == 0 ? null : string.Join(Environment.NewLine, lines);
    }

    private static void Compare(string message, string ours, string theirs, List<string> lines)
    {
        if (string.Equals(ours, theirs, StringComparison.Ordinal))
        {
            return;
        }

        if (!MessageSchema.TryParse(theirs, out MessageSchema? existing, out string? error) || !MessageSchema.TryParse(ours, out MessageSchema? opening, out error))
        {
            lines.Add($"  - the {message}: the server's schema of it does not parse ({error})");
            return;
        }

        // Two messages of other names are simply other messages: their fields' differences would only be noise.
        if (!string.Equals(opening.Name, existing.Name, StringComparison.Ordinal))
        {
            lines.Add($"  - the {message}: {opening.Name} here, {existing.Name} at the server");
            return;
        }

        IReadOnlyList<string> problems = MessageSchema.CheckCompatible(opening, existing);
        lines.Add($"  - the {message}: {opening.Name} differs here and at the server: " + (problems.Count == 0
            ? "versions of one message, but a client and its server use the same version of each"
            : string.Join(" ", problems)));
    }

    // "neobuffer-service N", "request", the request's schema text (which ends with a line break), "response", the
    // response's: as ServiceSchema writes it.
    private static bool TrySplit(string text, out string request, out string response)
    {
        request = response = string.Empty;
        int start = text.IndexOf('\n') + 1;
        if (!ServiceEnvelope.TryReadFormat(text, out _) || !text.AsSpan(start).StartsWith(RequestLine, StringComparison.Ordinal))
        {
            return false;
        }

        start += RequestLine.Length;
        int split = text.IndexOf(ResponseLine, start, StringComparison.Ordinal);
        if (split < 0)
        {
            return false;
        }

        request = text[start..(split + 1)];
        response = text[(split + ResponseLine.Length)..];
        return true;
    }
}
