using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace NeoBuffer.Cli.Decoding;

/// <summary>
/// Decodes a message's bytes by the schema text stored in its channel (parsed by <see cref="MessageSchema"/>), without
/// its .NET type: fixed fields, enums as their numbers, nested structs, fixed arrays, and the variable-length fields'
/// bytes in the message's tail. The bytes may come from a faulty or hostile peer: every descriptor is checked against
/// the record (<see cref="MessageBounds"/>) before anything is read through it, and a field that does not fit the record
/// is marked absent (a record of an older, shorter fixed block) rather than read.
/// </summary>
internal sealed class MessageDecoder
{
    /// <summary>Bytes of a VarBytes field shown in full as a preview.</summary>
    public const int PreviewBytes = 32;

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly MessageSchema _schema;

    public MessageDecoder(MessageSchema schema) => _schema = schema;

    /// <summary>A decoder for a channel's schema text; null for raw-byte channels (no text).</summary>
    /// <exception cref="SchemaTextException">The text does not parse.</exception>
    public static MessageDecoder? For(string channel, string schemaText)
    {
        if (schemaText.Length == 0)
        {
            return null;
        }

        if (!MessageSchema.TryParse(schemaText, out MessageSchema? schema, out string? error))
        {
            throw new SchemaTextException($"channel '{channel}' stores a schema text this tool cannot parse ({error}), so its messages cannot be decoded. Use a neobuffer tool of the writer's version.");
        }

        return new MessageDecoder(schema);
    }

    public string MessageName => _schema.Name;

    /// <summary>Every field of <paramref name="message"/>, in declaration order.</summary>
    public IReadOnlyList<DecodedValue> Decode(ReadOnlySpan<byte> message)
    {
        var fields = new List<DecodedValue>(_schema.Fields.Count);
        foreach (SchemaField field in _schema.Fields)
        {
            fields.Add(DecodeField(message, field, field.Offset, field.Name));
        }

        return fields;
    }

    /// <summary>A raw message: its length and first bytes.</summary>
    public static DecodedValue Raw(ReadOnlySpan<byte> message) => BytesValue("payload", message);

    private DecodedValue DecodeField(ReadOnlySpan<byte> message, SchemaField field, int offset, string name)
    {
        if ((long)offset + field.Size > message.Length)
        {
            return new DecodedValue(name, DecodedKind.Absent);
        }

        ReadOnlySpan<byte> bytes = message.Slice(offset, field.Size);
        switch (field.Kind)
        {
            case FieldKind.Scalar:
                return Scalar(name, field.Type, bytes);
            case FieldKind.Enum:
                return Scalar(name, field.EnumUnderlying!, bytes) with { EnumType = field.Type[..field.Type.LastIndexOf(':')] };
            case FieldKind.Struct:
                // A nested message's members are at their offsets in the whole message.
                var members = new List<DecodedValue>(field.Members.Count);
                foreach (SchemaField member in field.Members)
                {
                    members.Add(DecodeField(message, member, member.Offset, member.Name));
                }

                return new DecodedValue(name, DecodedKind.Object) { Children = members };
            case FieldKind.FixedArray:
                int elementSize = field.Size / field.Count;
                return Elements(name, field, bytes, elementSize, field.Count);
            default:
                return VarField(message, field, name, bytes);
        }
    }

    private DecodedValue VarField(ReadOnlySpan<byte> message, SchemaField field, string name, ReadOnlySpan<byte> descriptorBytes)
    {
        var descriptor = new VarFieldDescriptor(BinaryPrimitives.ReadUInt32LittleEndian(descriptorBytes), BinaryPrimitives.ReadUInt32LittleEndian(descriptorBytes[4..]));
        int elementSize = field.Kind == FieldKind.VarArray ? ElementSize(field) : 1;
        if (elementSize <= 0)
        {
            return new DecodedValue(name, DecodedKind.Invalid) { Text = $"element type '{field.ElementType}' has no known size" };
        }

        ReadOnlySpan<byte> tail;
        try
        {
            // Alignment is not asked of a spy: any descriptor wholly inside the tail is read.
            tail = MessageBounds.Slice(message, descriptor, Math.Min(_schema.FixedSize, message.Length), elementSize, 1, field.Path);
        }
        catch (MessageFormatException)
        {
            return new DecodedValue(name, DecodedKind.Invalid)
            {
                Text = $"descriptor (offset {descriptor.Offset}, length {descriptor.Length}) is outside the record's {message.Length} bytes",
            };
        }

        return field.Kind switch
        {
            FieldKind.VarUtf8 => new DecodedValue(name, DecodedKind.Text) { Text = Utf8.GetString(tail) },
            FieldKind.VarBytes => BytesValue(name, tail),
            _ => Elements(name, field, tail, elementSize, tail.Length / elementSize),
        };
    }

    private DecodedValue Elements(string name, SchemaField field, ReadOnlySpan<byte> bytes, int elementSize, int count)
    {
        var elements = new List<DecodedValue>(count);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> element = bytes.Slice(i * elementSize, elementSize);
            string elementName = i.ToString(CultureInfo.InvariantCulture);
            if (field.Members.Count > 0)
            {
                var members = new List<DecodedValue>(field.Members.Count);
                foreach (SchemaField member in field.Members)
                {
                    members.Add(DecodeField(element, member, member.Offset, member.Name));
                }

                elements.Add(new DecodedValue(elementName, DecodedKind.Object) { Children = members });
            }
            else if (MessageSchema.ScalarSize(field.ElementType) == elementSize)
            {
                elements.Add(Scalar(elementName, field.ElementType, element));
            }
            else
            {
                elements.Add(BytesValue(elementName, element));
            }
        }

        return new DecodedValue(name, DecodedKind.List) { Children = elements };
    }

    /// <summary>
    /// A variable-length array's element size: a scalar's own, or a struct element's, which the schema text does not
    /// state: its members' extent rounded up to the largest member alignment (at most 8), as the sequential layout the
    /// generator uses places them.
    /// </summary>
    private static int ElementSize(SchemaField field)
    {
        if (MessageSchema.ScalarSize(field.ElementType) is int scalar)
        {
            return scalar;
        }

        int end = 0;
        int alignment = 1;
        foreach (SchemaField member in field.Members)
        {
            end = Math.Max(end, member.Offset + member.Size);
            int memberAlignment = MessageSchema.ScalarSize(member.Kind == FieldKind.Enum ? member.EnumUnderlying! : member.ElementType) ?? 8;
            alignment = Math.Max(alignment, Math.Min(memberAlignment, 8));
        }

        return (end + alignment - 1) / alignment * alignment;
    }

    private static DecodedValue Scalar(string name, string type, ReadOnlySpan<byte> b) => type switch
    {
        "bool" => new DecodedValue(name, DecodedKind.Boolean) { Number = b[0] != 0 ? 1 : 0 },
        "int8" => Integer(name, (sbyte)b[0]),
        "uint8" => Integer(name, b[0]),
        "int16" => Integer(name, BinaryPrimitives.ReadInt16LittleEndian(b)),
        "uint16" => Integer(name, BinaryPrimitives.ReadUInt16LittleEndian(b)),
        "int32" => Integer(name, BinaryPrimitives.ReadInt32LittleEndian(b)),
        "uint32" => Integer(name, BinaryPrimitives.ReadUInt32LittleEndian(b)),
        "int64" => Integer(name, BinaryPrimitives.ReadInt64LittleEndian(b)),
        "uint64" => new DecodedValue(name, DecodedKind.Unsigned) { Unsigned = BinaryPrimitives.ReadUInt64LittleEndian(b) },
        "float16" => new DecodedValue(name, DecodedKind.Float) { Float = (double)BinaryPrimitives.ReadHalfLittleEndian(b) },
        "float32" => new DecodedValue(name, DecodedKind.Float) { Float = BinaryPrimitives.ReadSingleLittleEndian(b) },
        "float64" => new DecodedValue(name, DecodedKind.Float) { Float = BinaryPrimitives.ReadDoubleLittleEndian(b) },
        "char16" => new DecodedValue(name, DecodedKind.Text) { Text = ((char)BinaryPrimitives.ReadUInt16LittleEndian(b)).ToString() },
        "int128" => Text(name, BinaryPrimitives.ReadInt128LittleEndian(b).ToString(CultureInfo.InvariantCulture)),
        "uint128" => Text(name, BinaryPrimitives.ReadUInt128LittleEndian(b).ToString(CultureInfo.InvariantCulture)),
        "guid" => Text(name, new Guid(b).ToString()),
        "decimal" => DecimalValue(name, b),
        _ => BytesValue(name, b),
    };

    private static DecodedValue DecimalValue(string name, ReadOnlySpan<byte> b)
    {
        // System.Decimal's in-memory layout: flags, hi, lo, mid; a peer may have written flags no decimal has.
        int flags = BinaryPrimitives.ReadInt32LittleEndian(b);
        int hi = BinaryPrimitives.ReadInt32LittleEndian(b[4..]);
        int lo = BinaryPrimitives.ReadInt32LittleEndian(b[8..]);
        int mid = BinaryPrimitives.ReadInt32LittleEndian(b[12..]);
        try
        {
            return Text(name, new decimal([lo, mid, hi, flags]).ToString(CultureInfo.InvariantCulture));
        }
        catch (ArgumentException)
        {
            return new DecodedValue(name, DecodedKind.Invalid) { Text = $"flags 0x{flags:x8} are no decimal's" };
        }
    }

    private static DecodedValue Integer(string name, long value) => new(name, DecodedKind.Integer) { Number = value };

    private static DecodedValue Text(string name, string text) => new(name, DecodedKind.Text) { Text = text };

    private static DecodedValue BytesValue(string name, ReadOnlySpan<byte> bytes) =>
        new(name, DecodedKind.Bytes) { Length = bytes.Length, Preview = bytes[..Math.Min(bytes.Length, PreviewBytes)].ToArray() };
}
