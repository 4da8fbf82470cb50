using System.Collections.Generic;
using System.Globalization;

#if NEOBUFFER_ROSLYN
namespace NeoBuffer.Classification;
#else
namespace NeoBuffer;
#endif

/// <summary>One field of a parsed <see cref="MessageSchema"/>.</summary>
/// <param name="Name">The field's own name.</param>
/// <param name="Path">The field's path in the schema text: nested struct fields under <c>Outer.Inner</c>, array element fields under <c>Items[].Member</c>.</param>
/// <param name="Kind">What the field is.</param>
/// <param name="Offset">Byte offset: from the start of the message for the message's fields and a nested struct's members, from the start of the element for an array element's members.</param>
/// <param name="Size">Size in bytes in the fixed block (8 for a variable-length descriptor).</param>
/// <param name="Type">The type as the schema text spells it, e.g. <c>int32</c>, <c>Demo.Color:uint8</c>, <c>int16[8]</c>, <c>uint8[]</c>.</param>
/// <param name="ElementType">For arrays and variable-length fields, the element's type (<c>int16</c>, <c>uint8</c>, <c>Demo.Sample</c>); otherwise <paramref name="Type"/>.</param>
/// <param name="Count">For a fixed array, its element count; 0 for a variable-length field; otherwise 1.</param>
/// <param name="EnumUnderlying">For an enum, the underlying integer type (<c>uint8</c>, <c>int64</c>, ...); otherwise null.</param>
/// <param name="Members">A nested struct's fields, or an array element's fields when the element is a struct; otherwise empty.</param>
/// <param name="Attributes">Further <c>key=value</c> words on the field's line, as written.</param>
#if NEOBUFFER_ROSLYN
internal
#else
public
#endif
sealed record SchemaField(
    string Name,
    string Path,
    FieldKind Kind,
    int Offset,
    int Size,
    string Type,
    string ElementType,
    int Count,
    string? EnumUnderlying,
    IReadOnlyList<SchemaField> Members,
    IReadOnlyDictionary<string, string> Attributes)
{
    /// <summary>The attribute naming the version a field was added in (absent: the message's first version).</summary>
    public const string SinceKey = "since";

    /// <summary>The attribute marking a field obsolete (<c>obsolete=1</c>): its bytes stay, new code should not use it.</summary>
    public const string ObsoleteKey = "obsolete";

    /// <summary>The version the field was added in: its <c>since=</c>, or 1 (the parser checked the range).</summary>
    public int Since => Attributes.TryGetValue(SinceKey, out string? since) ? int.Parse(since, NumberStyles.None, CultureInfo.InvariantCulture) : 1;

    /// <summary>Whether the field is marked <c>obsolete=1</c>.</summary>
    public bool IsObsolete => Attributes.ContainsKey(ObsoleteKey);
}
