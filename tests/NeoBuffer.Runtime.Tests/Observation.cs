using System.Collections.Generic;

namespace NeoBuffer.Runtime.Tests;

/// <summary>One observation of a NeoBuffer instrument: its name, value and tags.</summary>
internal sealed record Observation(string Instrument, long Value, IReadOnlyDictionary<string, object?> Tags)
{
    public string Role => (string)Tags["neobuffer.role"]!;

    public int Participant => (int)Tags["neobuffer.participant"]!;
}
