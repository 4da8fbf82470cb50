using System.Text;

namespace NeoBuffer.Classification
{
    /// <summary>
    /// Writes the canonical schema text a message's fingerprint is computed from and that channel headers store: one
    /// line for the message, one per field (nested message fields flattened under dotted paths), ASCII digits, '\n'.
    /// Any change of a field's name, kind, type, order, offset or size changes the text, and so the fingerprint.
    /// A versioned message adds <c>version=</c> to the message line, <c>since=</c> to fields added after version 1 and
    /// <c>obsolete=1</c> to obsolete fields; a message that does not evolve has none of these, so its text (and
    /// fingerprint) is what it was before messages could evolve. Written here, beside the classifier, because the
    /// generator emits it and the analyzers compare it with the locked schema.
    /// </summary>
    internal static class SchemaText
    {
        public const string Header = "neobuffer-schema 1";

        public static string Build(MessageClassification message)
        {
            var text = new StringBuilder()
                .Append(Header).Append('\n')
                .Append("message ").Append(message.SchemaName)
                .Append(" size=").Append(message.FixedSize)
                .Append(" align=").Append(message.Alignment);
            if (message.IsVersioned)
            {
                text.Append(" version=").Append(message.Version);
            }

            text.Append('\n');
            AppendFields(text, message.Fields, prefix: "", baseOffset: 0, message.IsVersioned);
            return text.ToString();
        }

        public static string KindName(FieldKind kind) => kind.ToString().ToLowerInvariant();

        private static void AppendFields(StringBuilder text, EquatableArray<ClassifiedField> fields, string prefix, int baseOffset, bool versioned)
        {
            foreach (ClassifiedField field in fields)
            {
                string path = prefix + field.Name;
                int offset = baseOffset + field.Offset;
                text.Append("field ").Append(path)
                    .Append(' ').Append(KindName(field.Kind))
                    .Append(" offset=").Append(offset)
                    .Append(" size=").Append(field.Size)
                    .Append(" type=").Append(field.CanonicalType);
                if (versioned && field.IsAddedLater)
                {
                    text.Append(" since=").Append(field.Since);
                }

                if (versioned && field.IsObsolete)
                {
                    text.Append(" obsolete=1");
                }

                text.Append('\n');

                // A nested message lies inside this one; an array element's fields are relative to the element.
                if (field.Kind == FieldKind.Struct)
                {
                    AppendFields(text, field.Members, path + ".", offset, versioned);
                }
                else if (!field.Members.IsEmpty)
                {
                    AppendFields(text, field.Members, path + "[].", 0, versioned);
                }
            }
        }
    }
}
