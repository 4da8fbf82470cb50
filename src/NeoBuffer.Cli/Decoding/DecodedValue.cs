using System.Collections.Generic;

namespace NeoBuffer.Cli.Decoding;

/// <summary>What a field's bytes decoded to, without the message's .NET type.</summary>
internal enum DecodedKind
{
    /// <summary>A signed integer (<see cref="DecodedValue.Number"/>); enums too.</summary>
    Integer,

    /// <summary>An unsigned 64-bit integer (<see cref="DecodedValue.Unsigned"/>).</summary>
    Unsigned,

    /// <summary>A floating-point number (<see cref="DecodedValue.Float"/>).</summary>
    Float,

    /// <summary>A boolean (<see cref="DecodedValue.Number"/> 0 or 1).</summary>
    Boolean,

    /// <summary>Text: a VarUtf8 field, a char, or a number too wide for JSON (int128, decimal, guid).</summary>
    Text,

    /// <summary>Bytes: their length and the first few as a preview.</summary>
    Bytes,

    /// <summary>Elements of a fixed or variable-length array.</summary>
    List,

    /// <summary>Members of a nested struct or of a struct element.</summary>
    Object,

    /// <summary>Not in this record: it is shorter than the fixed block says (a writer of an older schema).</summary>
    Absent,

    /// <summary>The bytes do not make a value: a descriptor outside the record, say (<see cref="DecodedValue.Text"/> says why).</summary>
    Invalid,
}

/// <summary>One decoded field or element; a tree for nested structs and arrays.</summary>
internal sealed record DecodedValue(string Name, DecodedKind Kind)
{
    public long Number { get; init; }

    public ulong Unsigned { get; init; }

    public double Float { get; init; }

    public string? Text { get; init; }

    /// <summary>For <see cref="DecodedKind.Bytes"/>: the whole length; <see cref="Preview"/> holds the first bytes.</summary>
    public long Length { get; init; }

    public byte[]? Preview { get; init; }

    /// <summary>An enum's type name, for the text rendering.</summary>
    public string? EnumType { get; init; }

    public IReadOnlyList<DecodedValue> Children { get; init; } = [];
}
