using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace NeoBuffer.Nats;

/// <summary>
/// Checks a record that came off the network against the channel's layout before it may enter the ring: a reader in
/// another process trusts the ring more than the network, so nothing malformed gets that far.
/// </summary>
internal sealed class RecordCheck
{
    private readonly MessageLayout? _layout;
    private readonly VarField[] _varFields;
    private readonly int _firstVersionEnd;

    public RecordCheck(MessageLayout? layout)
    {
        _layout = layout;
        var fields = new List<VarField>();
        MessageSchema? schema = null;
        if (layout is not null && !MessageSchema.TryParse(layout.SchemaText, out schema, out _))
        {
            schema = null;
        }

        foreach (MessageField field in layout?.Fields ?? [])
        {
            if (field.Kind is FieldKind.VarBytes or FieldKind.VarUtf8)
            {
                fields.Add(new VarField(field.Name, field.Offset, 1, 1));
            }
            else if (field.Kind == FieldKind.VarArray)
            {
                (int size, int alignment) = ElementOf(field.ElementType);
                if (size == 0 && FieldOf(schema, field.Name) is { Members.Count: > 0 } array)
                {
                    (size, alignment) = NestedElementOf(array.Members);
                }

                fields.Add(new VarField(field.Name, field.Offset, size, alignment));
            }
        }

        _varFields = fields.ToArray();
        _firstVersionEnd = layout is { Version: > 0 } && schema is not null ? FirstVersionEndOf(schema) : 0;
    }

    // Where the fields of the message's first version end: every record has them, and a reader's view refuses a block
    // length below it. The layout does not say which fields came later; its schema text does (since=).
    private static int FirstVersionEndOf(MessageSchema schema)
    {
        int end = 0;
        foreach (SchemaField field in schema.Fields)
        {
            if (field.Since == 1)
            {
                end = Math.Max(end, field.Offset + field.Size);
            }
        }

        return end;
    }

    private static SchemaField? FieldOf(MessageSchema? schema, string name)
    {
        foreach (SchemaField field in schema?.Fields ?? [])
        {
            if (field.Name == name)
            {
                return field;
            }
        }

        return null;
    }

    // A nested message as an array element, laid out as the CLR lays out the sequential struct (docs/messages.md,
    // "Layout"): aligned to its most aligned member, its size the end of its last member padded to that alignment.
    // The reader's view checks its array's descriptor against exactly these.
    private static (int Size, int Alignment) NestedElementOf(IReadOnlyList<SchemaField> members)
    {
        int end = 0;
        int alignment = 1;
        foreach (SchemaField member in members)
        {
            end = Math.Max(end, member.Offset + member.Size);
            alignment = Math.Max(alignment, AlignmentOf(member));
        }

        return ((Math.Max(end, 1) + alignment - 1) / alignment * alignment, alignment);
    }

    private static int AlignmentOf(SchemaField field) =>
        field.Members.Count > 0 ? NestedElementOf(field.Members).Alignment // a nested message, or a fixed array of them
        : field.Kind == FieldKind.FixedArray ? ElementOf(field.ElementType).Alignment
        : field.Kind == FieldKind.Enum && field.EnumUnderlying is { } underlying ? ElementOf(underlying).Alignment
        : ElementOf(field.Type).Alignment;

    /// <summary>Null when <paramref name="record"/> is a well-formed record of the layout; else what is wrong with it.</summary>
    public string? Problem(ReadOnlySpan<byte> record)
    {
        if (_layout is null)
        {
            return null;
        }

        int fixedEnd = _layout.FixedSize;
        if (_layout.Version > 0)
        {
            // A versioned record says where its writer's fixed fields end (docs/format.md, "Versioned records"): fields
            // past that end are absent from it, and its tail starts there.
            if (record.Length < MessageBlock.PrefixSize)
            {
                return $"the record has {record.Length} bytes, less than the {MessageBlock.PrefixSize}-byte block prefix of '{_layout.Name}'";
            }

            uint block = MemoryMarshal.Read<uint>(record);
            record = record.Slice(MessageBlock.PrefixSize);
            if (block > (uint)record.Length)
            {
                return $"the record's block prefix says {block} bytes of fixed fields, but {record.Length} bytes follow it";
            }

            if (block < (uint)_firstVersionEnd)
            {
                return $"the record's block prefix says {block} bytes of fixed fields, fewer than the {_firstVersionEnd} of the first version of '{_layout.Name}', which every record has";
            }

            fixedEnd = (int)block;
        }
        else if (record.Length < _layout.FixedSize)
        {
            return $"the record has {record.Length} bytes, less than the {_layout.FixedSize}-byte fixed block of '{_layout.Name}'";
        }
        else if (!_layout.HasVariableFields && record.Length != _layout.FixedSize)
        {
            return $"the record has {record.Length} bytes, but '{_layout.Name}' has no variable-length field and is {_layout.FixedSize} bytes";
        }

        foreach (VarField field in _varFields)
        {
            if (field.Offset + 8 > fixedEnd)
            {
                continue; // a field of a later version than the record's writer
            }

            var descriptor = MemoryMarshal.Read<VarFieldDescriptor>(record.Slice(field.Offset));
            uint offset = descriptor.Offset;
            uint length = descriptor.Length;
            if (length == 0)
            {
                continue;
            }

            // 64-bit sum: two 32-bit values from the network cannot overflow it.
            if (offset < (uint)fixedEnd || (ulong)offset + length > (ulong)record.Length)
            {
                return $"field '{field.Name}' has descriptor (offset {offset}, length {length}) outside the record's tail [{fixedEnd}, {record.Length})";
            }

            if (field.ElementSize > 0 && (length % (uint)field.ElementSize != 0 || offset % (uint)field.ElementAlignment != 0))
            {
                return $"field '{field.Name}' has descriptor (offset {offset}, length {length}) that is not a whole number of {field.ElementSize}-byte " +
                    $"elements at a multiple of {field.ElementAlignment}";
            }
        }

        return null;
    }

    // The canonical element spellings of docs/messages.md; (0, 1) for a nested message, whose size the layout does
    // not carry (NestedElementOf computes it from the schema's members).
    private static (int Size, int Alignment) ElementOf(string elementType)
    {
        string type = elementType.EndsWith("[]", StringComparison.Ordinal) ? elementType[..^2] : elementType;
        int colon = type.LastIndexOf(':');
        if (colon >= 0)
        {
            type = type[(colon + 1)..];
        }

        return type switch
        {
            "bool" or "int8" or "uint8" => (1, 1),
            "char16" or "int16" or "uint16" or "float16" => (2, 2),
            "int32" or "uint32" or "float32" => (4, 4),
            "int64" or "uint64" or "float64" => (8, 8),
            "decimal" => (16, 8),
            "int128" or "uint128" => (16, 16),
            "guid" => (16, 4),
            _ => (0, 1),
        };
    }

    private readonly record struct VarField(string Name, int Offset, int ElementSize, int ElementAlignment);
}
