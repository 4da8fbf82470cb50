using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

// Compiled into the runtime (public) and, under NEOBUFFER_ROSLYN, into the analyzers (internal), which compare a
// message with its locked schema by the same parser and the same rules the runtime applies when a channel opens.
#if NEOBUFFER_ROSLYN
namespace NeoBuffer.Classification;
#else
namespace NeoBuffer;
#endif

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
#if NEOBUFFER_ROSLYN
internal
#else
public
#endif
sealed class MessageSchema
{
    /// <summary>The first line of every schema text this version writes and reads.</summary>
    public const string Header = "neobuffer-schema 1";

    // A hostile header could claim anything; no real message comes near these.
    private const int MaxFields = 4096;
    private const int MaxFixedSize = 1 << 24;

    /// <summary>The highest version a message may declare (and a field's <c>since=</c> may name).</summary>
    public const int MaxVersion = 65535;

    private MessageSchema(string name, int fixedSize, int alignment, int version, IReadOnlyList<SchemaField> fields, string text)
    {
        Name = name;
        Version = version;
        FixedSize = fixedSize;
        Alignment = alignment;
        Fields = fields;
        Text = text;
    }

    /// <summary>The stable schema name of the message.</summary>
    public string Name { get; }

    /// <summary>Size of the fixed block in bytes.</summary>
    public int FixedSize { get; }

    /// <summary>
    /// The message's version (<c>version=</c> on the message line), 0 for a message that does not evolve. A versioned
    /// message's records start with the block prefix; its fields may carry <c>since=</c> and <c>obsolete=1</c>.
    /// </summary>
    public int Version { get; }

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
        ThrowIfNull(text);
        return TryParse(text, out MessageSchema? schema, out string? error) ? schema : throw new FormatException(error);
    }

    /// <summary>Parses a canonical schema text, or says why it cannot.</summary>
    /// <param name="text">The schema text.</param>
    /// <param name="schema">The parsed schema, when the text is valid.</param>
    /// <param name="error">What is wrong with the text (with its line number), when it is not.</param>
    public static bool TryParse(string text, [NotNullWhen(true)] out MessageSchema? schema, [NotNullWhen(false)] out string? error)
    {
        ThrowIfNull(text);
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

        if (!TryParseMessageLine(lines[1], out string? name, out int fixedSize, out int alignment, out int version, out error))
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

        schema = new MessageSchema(name, fixedSize, alignment, version, fields, text);
        return true;
    }

    /// <summary>
    /// What stops two schemas of a message sharing a channel, one readable line each; empty when they can: when they are
    /// equal, or both versioned and one extends the other by fields added in later versions (docs/messages.md, "Evolution").
    /// Symmetric: it does not matter which side writes.
    /// </summary>
    /// <param name="opening">The schema of the side opening a channel (or of the message as compiled now).</param>
    /// <param name="existing">The schema the channel records (or the locked one).</param>
    public static IReadOnlyList<string> CheckCompatible(MessageSchema opening, MessageSchema existing)
    {
        if (opening is null || existing is null)
        {
            throw new ArgumentNullException(opening is null ? nameof(opening) : nameof(existing));
        }

        return SchemaCompatibility.Check(opening, existing);
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
            if (name.Length == 0 || name.IndexOf('.') >= 0 || name.IndexOf('[') >= 0)
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

    private static bool TryParseMessageLine(string line, [NotNullWhen(true)] out string? name, out int fixedSize, out int alignment, out int version, [NotNullWhen(false)] out string? error)
    {
        name = null;
        fixedSize = alignment = version = 0;
        string[] words = line.Split(' ');
        if (words.Length < 4 || words[0] != "message" || words[1].Length == 0)
        {
            error = "expected \"message <name> size=<n> align=<n>\"";
            return false;
        }

        if (!TryNumber(words[2], "size", 0, MaxFixedSize, out fixedSize, out error)
            || !TryNumber(words[3], "align", 1, 4096, out alignment, out error)
            || (words.Length > 4 && words[4].StartsWith("version=", StringComparison.Ordinal) && !TryNumber(words[4], "version", 1, MaxVersion, out version, out error)))
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

        // The evolution attributes are read by the compatibility rules, so they are held to their range here.
        if (extra.TryGetValue(SchemaField.SinceKey, out string? since) && !TryNumber(SchemaField.SinceKey + "=" + since, SchemaField.SinceKey, 2, MaxVersion, out _, out error))
        {
            return false;
        }

        if (extra.TryGetValue(SchemaField.ObsoleteKey, out string? obsolete) && obsolete != "1")
        {
            error = $"field '{words[1]}' has {SchemaField.ObsoleteKey}={obsolete}; expected {SchemaField.ObsoleteKey}=1";
            return false;
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
                if (open <= 0 || !line.Type.EndsWith("]", StringComparison.Ordinal)
                    || !int.TryParse(line.Type.Substring(open + 1, line.Type.Length - open - 2), NumberStyles.None, CultureInfo.InvariantCulture, out count)
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

    private static void ThrowIfNull(string text)
    {
        if (text is null)
        {
            throw new ArgumentNullException(nameof(text));
        }
    }

    private static bool TryNumber(string word, string key, int min, int max, out int value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        if (!word.StartsWith(key, StringComparison.Ordinal) || word.Length <= key.Length + 1 || word[key.Length] != '='
            || !int.TryParse(word.Substring(key.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out value)
            || value < min || value > max)
        {
            error = $"expected {key}=<{min}..{max}>, found '{word}'";
            return false;
        }

        error = null;
        return true;
    }
}
