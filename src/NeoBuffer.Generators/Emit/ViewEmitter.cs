using NeoBuffer.Classification;
using NeoBuffer.Generators.Model;

namespace NeoBuffer.Generators.Emit
{
    /// <summary>Writes <c>M.View</c>: a read-only window over a committed record that validates what a peer wrote.</summary>
    internal static class ViewEmitter
    {
        public static void Emit(SourceWriter source, MessageModel model)
        {
            string fixedSize = model.FixedSize.ToString();
            source
                .Line($"/// <summary>")
                .Line($"/// Reads a <see cref=\"{model.TypeName}\"/> record in place: fixed fields at their offsets, variable-length fields as")
                .Line($"/// spans checked against the record. Valid as long as the memory it reads (a lease) is.")
                .Line($"/// </summary>")
                .Open("public readonly ref struct View")
                .Line($"private readonly {Names.ReadOnlySpan}<byte> __record;")
                .Line()
                .Line("/// <summary>Reads the message in <paramref name=\"record\"/> (its fixed block, then its tail).</summary>")
                .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">The record is shorter than the fixed block.</exception>")
                .Open($"public View({Names.ReadOnlySpan}<byte> record)")
                .Line($"{Names.Runtime}MessageBounds.CheckFixedBlock(record, {fixedSize}, {Names.Literal(model.SchemaName)});")
                .Line("__record = record;")
                .Close()
                .Line()
                .Line("/// <summary>Reads the message <paramref name=\"lease\"/> holds; valid until the lease is disposed.</summary>")
                .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">The record is shorter than the fixed block.</exception>")
                .Line($"public View(in {Names.Runtime}MessageLease<{model.FullyQualifiedName}> lease) : this(lease.Payload) {{ }}")
                .Line()
                .Line("/// <summary>The whole record.</summary>")
                .Line($"public {Names.ReadOnlySpan}<byte> Record => __record;");

            foreach (ClassifiedField field in model.Fields)
            {
                source.Line();
                string name = Names.Identifier(field.Name);
                string where = $"(<c>{Names.Xml(field.CanonicalType)}</c> at offset {field.Offset})";
                switch (field.Kind)
                {
                    case FieldKind.Scalar when field.CanonicalType == "bool":
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}: any non-zero byte reads as true.</summary>")
                            .Line($"public bool {name} => {Names.Bytes}.ReadBool(__record, {field.Offset});");
                        break;
                    case FieldKind.Scalar or FieldKind.Enum:
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}.</summary>")
                            .Line($"public {field.TypeName} {name} => {Names.Bytes}.Read<{field.TypeName}>(__record, {field.Offset});");
                        break;
                    case FieldKind.Struct:
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}, read in place.</summary>")
                            .Line($"public {field.TypeName}.View {name} => new {field.TypeName}.View(__record.Slice({field.Offset}, {field.Size}));");
                        break;
                    case FieldKind.FixedArray:
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}, read in place.</summary>")
                            .Line($"public {Names.ReadOnlySpan}<{field.ElementTypeName}> {name} => {Names.Bytes}.FixedArray<{field.ElementTypeName}>(__record, {field.Offset}, {field.Count});");
                        break;
                    case FieldKind.VarUtf8:
                        source.Line($"/// <summary>The UTF-8 bytes of the <c>{field.Name}</c> text, in place.</summary>")
                            .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">Its descriptor does not lie inside the record.</exception>")
                            .Line($"public {Names.ReadOnlySpan}<byte> {field.Name}Utf8 => {Variable(field, fixedSize)};")
                            .Line()
                            .Line($"/// <summary>The <c>{field.Name}</c> text, decoded (invalid UTF-8 becomes U+FFFD). Allocates: prefer <see cref=\"{field.Name}Utf8\"/> on hot paths.</summary>")
                            .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">Its descriptor does not lie inside the record.</exception>")
                            .Line($"public string {name} => global::System.Text.Encoding.UTF8.GetString({field.Name}Utf8);");
                        break;
                    default:
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}, in place.</summary>")
                            .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">Its descriptor does not lie inside the record.</exception>")
                            .Line($"public {Names.ReadOnlySpan}<{field.ElementTypeName}> {name} => {Variable(field, fixedSize)};");
                        break;
                }
            }

            source.Close();
        }

        private static string Variable(ClassifiedField field, string fixedSize) =>
            $"{Names.Bytes}.Variable<{field.ElementTypeName}>(__record, {fixedSize}, {field.Offset}, {field.ElementAlignment}, {Names.Literal(field.Name)})";
    }
}
