using System;
using System.Collections.Generic;

namespace NeoBuffer;

/// <summary>
/// The byte layout and identity of a channel message: what the generator computed at compile time, and what a
/// channel header records so that tools can decode any channel and mismatched peers are refused.
/// </summary>
public sealed class MessageLayout
{
    /// <summary>Creates a layout. Generated code calls this once per message type.</summary>
    /// <param name="name">The stable schema name.</param>
    /// <param name="fixedSize">Size of the fixed block in bytes.</param>
    /// <param name="alignment">Alignment of the fixed block in bytes.</param>
    /// <param name="fields">The fields, in declaration order.</param>
    /// <param name="schemaText">The canonical schema text the fingerprint is computed from.</param>
    public MessageLayout(string name, int fixedSize, int alignment, IReadOnlyList<MessageField> fields, string schemaText)
        : this(name, fixedSize, alignment, fields, schemaText, version: 0)
    {
    }

    /// <summary>Creates the layout of a versioned message. Generated code calls this once per message type.</summary>
    /// <param name="name">The stable schema name.</param>
    /// <param name="fixedSize">Size of the fixed block in bytes.</param>
    /// <param name="alignment">Alignment of the fixed block in bytes.</param>
    /// <param name="fields">The fields, in declaration order.</param>
    /// <param name="schemaText">The canonical schema text the fingerprint is computed from.</param>
    /// <param name="version">The message's <c>[ChannelMessage(Version = n)]</c>; 0 for a message that does not evolve.</param>
    public MessageLayout(string name, int fixedSize, int alignment, IReadOnlyList<MessageField> fields, string schemaText, int version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(fixedSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(alignment, 1);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentException.ThrowIfNullOrEmpty(schemaText);
        Name = name;
        FixedSize = fixedSize;
        Alignment = alignment;
        Fields = fields;
        SchemaText = schemaText;
        Version = version;
        Fingerprint = SchemaFingerprint.Compute(schemaText);
        foreach (MessageField field in fields)
        {
            if (field.Kind is FieldKind.VarBytes or FieldKind.VarUtf8 or FieldKind.VarArray)
            {
                HasVariableFields = true;
            }
        }
    }

    /// <summary>
    /// The layout a parsed schema text describes, for code that has no .NET type for the message (a bridge, a tool):
    /// its <see cref="Fingerprint"/> is the one a channel created with that text records, so
    /// <see cref="SharedChannel.OpenReaderBySchema"/> and <see cref="SharedChannel.OpenWriterBySchema"/> accept it, and its
    /// <see cref="Fields"/> name the variable-length descriptors a record must keep inside itself.
    /// </summary>
    /// <param name="schema">A schema, typically parsed from <see cref="ChannelInfo.SchemaText"/>.</param>
    public static MessageLayout FromSchema(MessageSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var fields = new MessageField[schema.Fields.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            SchemaField field = schema.Fields[i];
            // The generator's MessageField.ElementType is the type as the schema text spells it.
            fields[i] = new MessageField(field.Name, field.Kind, field.Offset, field.Size, field.Type);
        }

        return new MessageLayout(schema.Name, schema.FixedSize, schema.Alignment, fields, schema.Text, schema.Version);
    }

    /// <summary>The stable schema name (the <c>Name</c> of the attribute, or the full type name).</summary>
    public string Name { get; }

    /// <summary>The 64-bit fingerprint of <see cref="SchemaText"/>.</summary>
    public ulong Fingerprint { get; }

    /// <summary>Size of the fixed block in bytes.</summary>
    public int FixedSize { get; }

    /// <summary>Alignment of the fixed block in bytes.</summary>
    public int Alignment { get; }

    /// <summary>The fields in declaration order.</summary>
    public IReadOnlyList<MessageField> Fields { get; }

    /// <summary>The canonical schema text stored in the channel header.</summary>
    public string SchemaText { get; }

    /// <summary>Whether any field is variable-length (so the message has a tail after the fixed block).</summary>
    public bool HasVariableFields { get; }

    /// <summary>
    /// The message's version, 0 for a message that does not evolve. A versioned message's records start with an
    /// 8-byte block prefix (<see cref="MessageBlock"/>), so that readers of other versions can share its channel.
    /// </summary>
    public int Version { get; }

    /// <summary>
    /// Whether a record of the message is the struct's bytes and nothing else, so it can be copied in and out whole:
    /// no variable-length tail and no versioned block prefix. Otherwise it is built with the generated builder and
    /// read through the generated view.
    /// </summary>
    internal bool IsCopiedWhole => !HasVariableFields && Version == 0;
}
