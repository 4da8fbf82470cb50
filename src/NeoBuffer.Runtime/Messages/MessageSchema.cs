using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace NeoBuffer;

/// <summary>
/// A message's canonical schema text, parsed: what a tool needs to decode a channel's records without the message's
/// .NET type, and what a reader compares with a writer's schema. The text is the one the generator writes into
/// <see cref="MessageLayout.SchemaText"/> and a channel header stores (docs/messages.md, "Schema text").
/// </summary>
/// <remarks>
/// The text may come from a segment another process wrote, so parsing trusts nothing: every number is range-checked,
/// every field must lie inside the fixed block (or inside its array element), and the sizes of known types must match
/// what the type name says. Attributes this version does not know (<c>key=value</c> words after the known ones) are
/// kept in <see cref="SchemaField.Attributes"/>, so a newer writer's text still parses.
/// </remarks>
public sealed class MessageSchema
{
    /// <summary>The first line of every schema text this version writes and reads.</summary>
    public const string Header = "neobuffer-schema 1";

    // A hostile header could claim anything; no real message comes near these.
    private const int MaxFields = 4096;
    private const int MaxFixedSize = 1 << 24;

    private MessageSchema(string name, int fixedSize, int alignment, IReadOnlyList<SchemaField> fields, string text)
    {
        Name = name;
        FixedSize = fixedSize;
        Alignment = alignment;
        Fields = fields;
        Text = text;
    }

    /// <summary>The stable schema name of the message.</summary>
    public string Name { get; }

    /// <summary>Size of the fixed block in bytes.</summary>
    public int FixedSize { get; }

    /// <summary>Alignment of the fixed block in bytes.</summary>
    public int Alignment { get; }

    /// <summary>The message's own fields in declaration order; nested struct and array-element fields are their <see cref="SchemaField.Members"/>.</summary>
    public IReadOnlyList<SchemaField> Fields { get; }

    /// <summary>The text this schema was parsed from.</summary>
    public string Text { get; }

    /// <summary>Parses a canonical schema text.</summary>
    /// <exception cref="FormatException">The text is not a schema text this version can read; the message names the line and what is wrong.</exception>
    public static MessageSchema Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out MessageSchema? schema, out string? error) ? schema : throw new FormatException(error);
    }

    /// <summary>Parses a canonical schema text, or says why it cannot.</summary>
    /// <param name="text">The schema text.</param>
    /// <param name="schema">The parsed schema, when the text is valid.</param>
    /// <param name="error">What is wrong with the text (with its line number), when it is not.</param>
    public static bool TryParse(string text, [NotNullWhen(true)] out MessageSchema? schema, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        schema = null;
        string[] lines = text.TrimEnd('\n').Split('\n');
        if (lines.Length < 2 || lines[0] != Header)
        {
            error = $"schema text must start with \"{Header}\" and a message line";
            return false;
        }

        if (lines.Length - 2 > MaxFields)
        {
            error = $"schema text has {lines.Length - 2} field lines; at most {MaxFields} are accepted";
            return false;
        }

        if (!TryParseMessageLine(lines[1], out string? name, out int fixedSize, out int alignment, out error))
        {
            error = $"line 2: {error}";
            return false;
        }

        var all = new List<(string Path, FieldLine Line)>(lines.Length - 2);
        for (int i = 2; i < lines.Length; i++)
        {
            if (!TryParseFieldLine(lines[i], out FieldLine line, out error))
            {
                error = $"line {i + 1}: {error}";
                return false;
            }

            all.Add((line.Path, line));
        }

        int next = 0;
        if (!TryBuildLevel(all, ref next, prefix: "", limitStart: 0, limitEnd: fixedSize, out List<SchemaField> fields, out error))
        {
            return false;
        }

        if (next != all.Count)
        {
            error = $"line {next + 3}: field '{all[next].Path}' belongs to no field before it";
            return false;
        }

        schema = new MessageSchema(name, fixedSize, alignment, fields, text);
        return true;
    }

    private readonly record struct FieldLine(string Path, FieldKind Kind, int Offset, int Size, string Type, IReadOnlyDictionary<string, string> Extra);

    // Consumes the consecutive lines whose path is prefix + a simple name, with the lines of their members after each.
    private static bool TryBuildLevel(
        List<(string Path, FieldLine Line)> all, ref int next, string prefix, long limitStart, long limitEnd,
        out List<SchemaField> fields, [NotNullWhen(false)] out string? error)
    {
        fields = new List<SchemaField>();
        while (next < all.Count && all[next].Path.StartsWith(prefix, StringComparison.Ordinal))
        {
            FieldLine line = all[next].Line;
            string name = line.Path.Substring(prefix.Length);
            if (name.Length == 0 || name.Contains('.') || name.Contains('['))
            {
                error = $"line {next + 3}: field '{line.Path}' is nested under a field that is not before it";
                return false;
            }

            if (line.Offset < limitStart || (long)line.Offset + line.Size > limitEnd)
            {
                error = $"line {next + 3}: field '{line.Path}' ({line.Offset}+{line.Size}) lies outside [{limitStart}, {limitEnd})";
                return false;
            }

            if (!TryDescribeType(line, out string element, out int count, out string? enumUnderlying, out error))
            {
                error = $"line {next + 3}: {error}";
                return false;
            }

            next++;
            List<SchemaField> members = new();
            if (line.Kind == FieldKind.Struct)
            {
                // A nested message's members are written at their offsets in the whole message.
                if (!TryBuildLevel(all, ref next, line.Path + ".", line.Offset, (long)line.Offset + line.Size, out members, out error))
                {
                    return false;
                }
            }
            else if (next < all.Count && all[next].Path.StartsWith(line.Path + "[].", StringComparison.Ordinal))
            {
                // An array element's members are written relative to the element.
                int elementSize = line.Kind == FieldKind.FixedArray ? line.Size / Math.Max(count, 1) : int.MaxValue;
                if (!TryBuildLevel(all, ref next, line.Path + "[].", 0, elementSize, out members, out error))
                {
                    return false;
                }
            }

            fields.Add(new SchemaField(name, line.Path, line.Kind, line.Offset, line.Size, line.Type, element, count, enumUnderlying, members, line.Extra));
        }

        error = null;
        return true;
    }

    private static bool TryParseMessageLine(string line, [NotNullWhen(true)] out string? name, out int fixedSize, out int alignment, [NotNullWhen(false)] out string? error)
    {
        name = null;
        fixedSize = alignment = 0;
        string[] words = line.Split(' ');
        if (words.Length < 4 || words[0] != "message" || words[1].Length == 0)
        {
            error = "expected \"message <name> size=<n> align=<n>\"";
            return false;
        }

        if (!TryNumber(words[2], "size", 0, MaxFixedSize, out fixedSize, out error)
            || !TryNumber(words[3], "align", 1, 4096, out alignment, out error))
        {
            return false;
        }

        name = words[1];
        return true;
    }

    private static bool TryParseFieldLine(string line, out FieldLine field, [NotNullWhen(false)] out string? error)
    {
        field = default;
        string[] words = line.Split(' ');
        if (words.Length < 6 || words[0] != "field" || words[1].Length == 0)
        {
            error = "expected \"field <path> <kind> offset=<n> size=<n> type=<type>\"";
            return false;
        }

        if (!TryKind(words[2], out FieldKind kind))
        {
            error = $"field '{words[1]}' has an unknown kind '{words[2]}'";
            return false;
        }

        if (!TryNumber(words[3], "offset", 0, MaxFixedSize, out int offset, out error)
            || !TryNumber(words[4], "size", 0, MaxFixedSize, out int size, out error))
        {
            return false;
        }

        if (!words[5].StartsWith("type=", StringComparison.Ordinal) || words[5].Length == 5)
        {
            error = $"field '{words[1]}' has no type=";
            return false;
        }

        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 6; i < words.Length; i++)
        {
            int equals = words[i].IndexOf('=');
            if (equals <= 0)
            {
                error = $"field '{words[1]}' has a word that is not key=value: '{words[i]}'";
                return false;
            }

            extra[words[i].Substring(0, equals)] = words[i].Substring(equals + 1);
        }

        field = new FieldLine(words[1], kind, offset, size, words[5].Substring(5), extra);
        return true;
    }

    private static bool TryDescribeType(FieldLine line, out string element, out int count, out string? enumUnderlying, [NotNullWhen(false)] out string? error)
    {
        element = line.Type;
        count = 1;
        enumUnderlying = null;
        error = null;
        switch (line.Kind)
        {
            case FieldKind.Scalar:
                return CheckSize(line, ScalarSize(line.Type), out error);
            case FieldKind.Enum:
                int colon = line.Type.LastIndexOf(':');
                if (colon <= 0)
                {
                    error = $"enum field '{line.Path}' has type '{line.Type}'; expected <name>:<underlying integer>";
                    return false;
                }

                enumUnderlying = line.Type.Substring(colon + 1);
                return CheckSize(line, ScalarSize(enumUnderlying), out error);
            case FieldKind.FixedArray:
                int open = line.Type.LastIndexOf('[');
                if (open <= 0 || !line.Type.EndsWith(']')
                    || !int.TryParse(line.Type.AsSpan(open + 1, line.Type.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out count)
                    || count <= 0 || line.Size % count != 0)
                {
                    error = $"fixed array field '{line.Path}' has type '{line.Type}' that does not divide its size {line.Size}";
                    return false;
                }

                element = line.Type.Substring(0, open);
                int? elementSize = ScalarSize(element);
                return elementSize is null || CheckSize(line, elementSize * count, out error);
            case FieldKind.Struct:
                return true;
            default: // VarBytes, VarUtf8, VarArray: an 8-byte descriptor whose bytes are in the tail
                if (!line.Type.EndsWith("[]", StringComparison.Ordinal))
                {
                    error = $"variable-length field '{line.Path}' has type '{line.Type}'; expected <element>[]";
                    return false;
                }

                element = line.Type.Substring(0, line.Type.Length - 2);
                count = 0;
                return CheckSize(line, 8, out error);
        }
    }

    private static bool CheckSize(FieldLine line, int? expected, [NotNullWhen(false)] out string? error)
    {
        if (expected is int size && size != line.Size)
        {
            error = $"field '{line.Path}' of type '{line.Type}' has size {line.Size}; that type is {size} bytes";
            return false;
        }

        if (expected is null && line.Kind is FieldKind.Scalar or FieldKind.Enum)
        {
            error = $"field '{line.Path}' has an unknown scalar type '{line.Type}'";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The size of a scalar the schema text names (<c>int32</c>, <c>float16</c>, <c>guid</c>, ...), or null for any other name.</summary>
    public static int? ScalarSize(string canonicalType) => canonicalType switch
    {
        "bool" or "int8" or "uint8" => 1,
        "int16" or "uint16" or "char16" or "float16" => 2,
        "int32" or "uint32" or "float32" => 4,
        "int64" or "uint64" or "float64" => 8,
        "int128" or "uint128" or "decimal" or "guid" => 16,
        _ => null,
    };

    private static bool TryKind(string word, out FieldKind kind)
    {
        kind = word switch
        {
            "scalar" => FieldKind.Scalar,
            "enum" => FieldKind.Enum,
            "fixedarray" => FieldKind.FixedArray,
            "struct" => FieldKind.Struct,
            "varbytes" => FieldKind.VarBytes,
            "varutf8" => FieldKind.VarUtf8,
            "vararray" => FieldKind.VarArray,
            _ => (FieldKind)(-1),
        };
        return kind >= 0;
    }

    private static bool TryNumber(string word, string key, int min, int max, out int value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        if (!word.StartsWith(key, StringComparison.Ordinal) || word.Length <= key.Length + 1 || word[key.Length] != '='
            || !int.TryParse(word.AsSpan(key.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out value)
            || value < min || value > max)
        {
            error = $"expected {key}=<{min}..{max}>, found '{word}'";
            return false;
        }

        error = null;
        return true;
    }
}
