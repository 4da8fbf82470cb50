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
                .Line($"private readonly {Names.ReadOnlySpan}<byte> __record;");
            if (model.IsVersioned)
            {
                source
                    .Line("private readonly int __block;")
                    .Line()
                    .Line("/// <summary>Reads the message in <paramref name=\"record\"/> (its block prefix, its fixed block, then its tail), of any version.</summary>")
                    .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">The record's block prefix is missing, or its block length is below the first version's or beyond the record.</exception>")
                    .Open($"public View({Names.ReadOnlySpan}<byte> record)")
                    .Line($"__block = {Names.Runtime}MessageBlock.Open(record, {model.FirstVersionEnd}, {Names.Literal(model.SchemaName)}, out __record);")
                    .Close();
            }
            else
            {
                source
                    .Line()
                    .Line("/// <summary>Reads the message in <paramref name=\"record\"/> (its fixed block, then its tail).</summary>")
                    .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">The record is shorter than the fixed block.</exception>")
                    .Open($"public View({Names.ReadOnlySpan}<byte> record)")
                    .Line($"{Names.Runtime}MessageBounds.CheckFixedBlock(record, {fixedSize}, {Names.Literal(model.SchemaName)});")
                    .Line("__record = record;")
                    .Close();
            }

            source
                .Line()
                .Line("/// <summary>Reads the message <paramref name=\"lease\"/> holds; valid until the lease is disposed.</summary>")
                .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">{(model.IsVersioned ? "The record's block prefix is malformed." : "The record is shorter than the fixed block.")}</exception>")
                .Line($"public View(in {Names.Runtime}MessageLease<{model.FullyQualifiedName}> lease) : this(lease.Payload) {{ }}")
                .Line()
                .Line(model.IsVersioned ? "/// <summary>The message after its block prefix: the fixed block (of the writer's version), then the tail.</summary>" : "/// <summary>The whole record.</summary>")
                .Line($"public {Names.ReadOnlySpan}<byte> Record => __record;");

            // Descriptors may not point into the fixed block: the writer's, which a versioned record's prefix gives.
            string fixedEnd = model.IsVersioned ? "__block" : fixedSize;
            foreach (ClassifiedField field in model.Fields)
            {
                source.Line();
                string name = Names.Identifier(field.Name);
                string where = $"(<c>{Names.Xml(field.CanonicalType)}</c> at offset {field.Offset})";
                if (field.IsAddedLater)
                {
                    source
                        .Line($"/// <summary>Whether this record has <c>{field.Name}</c> (added in version {field.Since}): false for a record of an earlier version, whose block ends before it.</summary>")
                        .Line($"public bool Has{field.Name} => __block >= {field.End};")
                        .Line();
                }

                // A field added later reads as its default (empty for spans, zeroes for a nested message) when absent.
                string absent = !field.IsAddedLater ? "" : field.Kind switch
                {
                    FieldKind.Struct => $"Has{field.Name} ? {{0}} : new {field.TypeName}.View({Names.Runtime}MessageBlock.Zeroes({field.Size}))",
                    _ => $"Has{field.Name} ? {{0}} : default",
                };
                string Guard(string read) => absent.Length == 0 ? read : absent.Replace("{0}", read);
                string obsolete = field.IsObsolete ? "[global::System.Obsolete(\"Obsolete in the message: its bytes stay for older peers; new code should not use it.\")]\n" : "";
                switch (field.Kind)
                {
                    case FieldKind.Scalar when field.CanonicalType == "bool":
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}: any non-zero byte reads as true.</summary>")
                            .Line($"{obsolete}public bool {name} => {Guard($"{Names.Bytes}.ReadBool(__record, {field.Offset})")};");
                        break;
                    case FieldKind.Scalar or FieldKind.Enum:
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}.</summary>")
                            .Line($"{obsolete}public {field.TypeName} {name} => {Guard($"{Names.Bytes}.Read<{field.TypeName}>(__record, {field.Offset})")};");
                        break;
                    case FieldKind.Struct:
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}, read in place.</summary>")
                            .Line($"{obsolete}public {field.TypeName}.View {name} => {Guard($"new {field.TypeName}.View(__record.Slice({field.Offset}, {field.Size}))")};");
                        break;
                    case FieldKind.FixedArray:
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}, read in place.</summary>")
                            .Line($"{obsolete}public {Names.ReadOnlySpan}<{field.ElementTypeName}> {name} => {Guard($"{Names.Bytes}.FixedArray<{field.ElementTypeName}>(__record, {field.Offset}, {field.Count})")};");
                        break;
                    case FieldKind.VarUtf8:
                        source.Line($"/// <summary>The UTF-8 bytes of the <c>{field.Name}</c> text, in place.</summary>")
                            .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">Its descriptor does not lie inside the record.</exception>")
                            .Line($"{obsolete}public {Names.ReadOnlySpan}<byte> {field.Name}Utf8 => {Guard(Variable(field, fixedEnd))};")
                            .Line()
                            .Line($"/// <summary>The <c>{field.Name}</c> text, decoded (invalid UTF-8 becomes U+FFFD). Allocates: prefer <see cref=\"{field.Name}Utf8\"/> on hot paths.</summary>")
                            .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">Its descriptor does not lie inside the record.</exception>")
                            .Line($"{obsolete}public string {name} => global::System.Text.Encoding.UTF8.GetString({field.Name}Utf8);");
                        break;
                    default:
                        source.Line($"/// <summary>The <c>{field.Name}</c> field {where}, in place.</summary>")
                            .Line($"/// <exception cref=\"{Names.Runtime}MessageFormatException\">Its descriptor does not lie inside the record.</exception>")
                            .Line($"{obsolete}public {Names.ReadOnlySpan}<{field.ElementTypeName}> {name} => {Guard(Variable(field, fixedEnd))};");
                        break;
                }
            }

            source.Close();
        }

        private static string Variable(ClassifiedField field, string fixedEnd) =>
            $"{Names.Bytes}.Variable<{field.ElementTypeName}>(__record, {fixedEnd}, {field.Offset}, {field.ElementAlignment}, {Names.Literal(field.Name)})";
    }
}
