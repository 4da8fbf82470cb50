using System;

namespace NeoBuffer.Fuzz;

/// <summary>
/// Thrown by the fuzz target when a decoder accepted input but broke one of its own invariants (a span outside the
/// record or the ring, a walk that does not advance). Never caught: like any undocumented exception, it is a finding.
/// </summary>
public sealed class FuzzFindingException : Exception
{
    public FuzzFindingException(string message)
        : base(message)
    {
    }
}
