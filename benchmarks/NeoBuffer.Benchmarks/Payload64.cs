using System.Runtime.CompilerServices;

namespace NeoBuffer.Benchmarks;

/// <summary>A 64-byte unmanaged message: one cache line, the size the 64 B targets are stated for.</summary>
[InlineArray(8)]
public struct Payload64
{
    private long _element;
}
