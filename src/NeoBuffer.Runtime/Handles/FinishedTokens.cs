using System;

namespace NeoBuffer.Handles;

/// <summary>
/// The tokens of the last connections a receiver let go of once they were finished, so a message that names one of
/// them fails at once instead of waiting out its timeout for a connection that will never come back. Bounded: the
/// oldest is forgotten first, and a message naming a forgotten token only waits, as for any unknown token.
/// </summary>
internal sealed class FinishedTokens
{
    /// <summary>How many tokens are remembered.</summary>
    public const int Capacity = 256;

    private readonly ulong[] _tokens = new ulong[Capacity];
    private int _next;

    public void Add(ulong token)
    {
        if (token == 0)
        {
            return; // never announced: no message can name it
        }

        _tokens[_next] = token;
        _next = (_next + 1) % Capacity;
    }

    public bool Contains(ulong token) => token != 0 && Array.IndexOf(_tokens, token) >= 0;
}
