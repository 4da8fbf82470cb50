using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Classification;
using NeoBuffer.Generators.Model;

namespace NeoBuffer.Generators.Emit
{
    /// <summary>
    /// Writes <c>M.Builder</c>: a message laid out in place in a claimed record. Variable-length fields are sized when it
    /// is created, which fixes the record's length and lets it write every descriptor before the caller fills anything.
    /// </summary>
    internal static class BuilderEmitter
    {
        // Tail regions start 8-byte aligned (docs/design.md, "Message model"), or at the element's own alignment when that is larger.
        private const int TailAlignment = 8;

        public static void Emit(SourceWriter source, MessageModel model)
        {
            List<ClassifiedField> variable = model.Fields.Where(f => f.IsVariable).ToList();
            string sizeParameters = string.Concat(variable.Select(f => $", int {SizeParameter(f)}"));
            string sizeArguments = string.Concat(variable.Select(f => ", " + SizeParameter(f)));
            string sizeDocs = string.Concat(variable.Select(f =>
                $"\n/// <param name=\"{SizeParameter(f)}\">{(f.Kind == FieldKind.VarArray ? "Element count" : "Length in bytes")} of <c>{f.Name}</c>.</param>"));
            string writer = $"{Names.Runtime}SharedChannelWriter<{model.FullyQualifiedName}>";

            source
                .Line("/// <summary>")
                .Line($"/// Builds a <see cref=\"{model.TypeName}\"/> in place: claim it from a writer with <see cref=\"TryClaim\"/> or")
                .Line("/// <see cref=\"Claim(" + writer.Replace('<', '{').Replace('>', '}') + string.Concat(variable.Select(_ => ", int")) + ", global::System.Threading.CancellationToken)\"/>,")
                .Line("/// set its fields, fill its variable-length spans, then <see cref=\"Commit\"/>.")
                .Line("/// </summary>")
                .Open("public ref struct Builder")
                .Line($"private readonly {Names.Span}<byte> __record;");
            foreach (ClassifiedField field in variable)
            {
                source.Line($"private readonly {Names.Span}<byte> __{field.Name};");
            }

            source
                .Line($"private {Names.Runtime}WriteClaim __claim;")
                .Line()
                .Line("/// <summary>Lays the message out in <paramref name=\"record\"/>: clears the fixed block and writes the descriptors.</summary>")
                .Line("/// <param name=\"record\">At least <see cref=\"LengthFor\"/> bytes.</param>" + sizeDocs)
                .Open($"public Builder({Names.Span}<byte> record{sizeParameters})")
                .Line($"{Names.Bytes}.CheckRecord(record, LengthFor({string.Join(", ", variable.Select(SizeParameter))}));");
            if (model.IsVersioned)
            {
                // Every record says where its version's fields end, so readers of other versions know what it has.
                source.Line($"record = {Names.Runtime}MessageBlock.Write(record, {model.BlockLength}, {model.Version});");
            }

            source.Line($"record.Slice(0, {model.FixedSize}).Clear();");
            if (variable.Count > 0)
            {
                source.Line($"int cursor = {model.FixedSize};");
            }

            foreach (ClassifiedField field in variable)
            {
                source.Line($"__{field.Name} = {Names.Bytes}.Place(record, {field.Offset}, ref cursor, {SizeParameter(field)}, {field.ElementSize}, {Alignment(field)});");
            }

            source
                .Line("__record = record;")
                .Line("__claim = default;")
                .Close()
                .Line()
                .Line($"private Builder({Names.Runtime}WriteClaim claim{sizeParameters}) : this(claim.Payload{sizeArguments}) => __claim = claim;")
                .Line()
                .Line("/// <summary>The record length a message with these variable-length sizes needs.</summary>" + sizeDocs)
                .Line("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">A size is negative, or the total exceeds 2 GiB.</exception>")
                .Open($"public static int LengthFor({sizeParameters.TrimStart(',', ' ')})")
                .Line($"long length = {model.FixedSize};");
            foreach (ClassifiedField field in variable)
            {
                source.Line($"{Names.Bytes}.Reserve(ref length, {SizeParameter(field)}, {field.ElementSize}, {Alignment(field)}, nameof({SizeParameter(field)}));");
            }

            source
                .Line(model.IsVersioned ? $"return {Names.Bytes}.ToLength(length + {Names.Runtime}MessageBlock.PrefixSize);" : $"return {Names.Bytes}.ToLength(length);")
                .Close()
                .Line();
            EmitClaims(source, writer, sizeParameters, sizeArguments, sizeDocs);
            source
                .Line()
                .Line(model.IsVersioned ? "/// <summary>The message after its block prefix: the fixed block, then the tail.</summary>" : "/// <summary>The whole record.</summary>")
                .Line($"public {Names.Span}<byte> Record => __record;");

            foreach (ClassifiedField field in model.Fields)
            {
                source.Line();
                EmitField(source, field);
            }

            source
                .Line()
                .Line("/// <summary>Publishes the message to the reader.</summary>")
                .Line("/// <exception cref=\"global::System.InvalidOperationException\">It was not claimed from a writer, or was already committed or aborted.</exception>")
                .Line("public void Commit() => __claim.Commit();")
                .Line()
                .Line("/// <summary>Gives the claimed space back without publishing anything.</summary>")
                .Line("/// <exception cref=\"global::System.InvalidOperationException\">It was not claimed from a writer, or was already committed or aborted.</exception>")
                .Line("public void Abort() => __claim.Abort();")
                .Line()
                .Line("/// <summary>Aborts the claim unless it was committed.</summary>")
                .Line("public void Dispose() => __claim.Dispose();")
                .Close();
        }

        private static void EmitClaims(SourceWriter source, string writer, string sizeParameters, string sizeArguments, string sizeDocs)
        {
            string lengthArguments = sizeArguments.TrimStart(',', ' ');
            source
                .Line("/// <summary>Claims a record from <paramref name=\"writer\"/> if its ring has room now; false when it is full or completed.</summary>" + sizeDocs)
                .Open($"public static bool TryClaim({writer} writer{sizeParameters}, out Builder builder)")
                .Open($"if (writer.TryClaim(LengthFor({lengthArguments}), out {Names.Runtime}WriteClaim claim))")
                .Line($"builder = new Builder(claim{sizeArguments});")
                .Line("return true;")
                .Close()
                .Line()
                .Line("builder = default;")
                .Line("return false;")
                .Close()
                .Line()
                .Line("/// <summary>Claims a record from <paramref name=\"writer\"/>, waiting for room as long as it takes.</summary>" + sizeDocs)
                .Line("/// <exception cref=\"global::System.Threading.Channels.ChannelClosedException\">The channel was completed.</exception>")
                .Line($"public static Builder Claim({writer} writer{sizeParameters}, global::System.Threading.CancellationToken cancellationToken = default) =>")
                .Line($"    Claim(writer{sizeArguments}, global::System.Threading.Timeout.InfiniteTimeSpan, cancellationToken);")
                .Line()
                .Line("/// <summary>Claims a record from <paramref name=\"writer\"/>, waiting up to <paramref name=\"timeout\"/> for room.</summary>" + sizeDocs)
                .Line("/// <exception cref=\"global::System.TimeoutException\">No room appeared in time.</exception>")
                .Line("/// <exception cref=\"global::System.Threading.Channels.ChannelClosedException\">The channel was completed.</exception>")
                .Line($"public static Builder Claim({writer} writer{sizeParameters}, global::System.TimeSpan timeout, global::System.Threading.CancellationToken cancellationToken = default) =>")
                .Line($"    new Builder(writer.Claim(LengthFor({lengthArguments}), timeout, cancellationToken){sizeArguments});")
                .Line()
                .Line("/// <summary>")
                .Line("/// Waits asynchronously, with no thread blocked, until a record of these sizes fits in <paramref name=\"writer\"/>'s ring:")
                .Line("/// the async path to a builder, which cannot cross an <c>await</c> itself. Completes with true when it fits (then")
                .Line("/// <see cref=\"TryClaim\"/>, and wait again if another producer took the room first), false when the channel was completed.")
                .Line("/// </summary>" + sizeDocs)
                .Line($"public static global::System.Threading.Tasks.ValueTask<bool> WaitToClaimAsync({writer} writer{sizeParameters}, global::System.Threading.CancellationToken cancellationToken = default) =>")
                .Line($"    writer.WaitToWriteAsync(LengthFor({lengthArguments}), global::System.Threading.Timeout.InfiniteTimeSpan, cancellationToken);")
                .Line()
                .Line("/// <summary>As <see cref=\"WaitToClaimAsync(" + writer.Replace('<', '{').Replace('>', '}') + string.Concat(sizeArguments.Split(new[] { ',' }, System.StringSplitOptions.RemoveEmptyEntries).Select(_ => ", int")) + ", global::System.Threading.CancellationToken)\"/>, waiting at most <paramref name=\"timeout\"/>.</summary>" + sizeDocs)
                .Line("/// <exception cref=\"global::System.TimeoutException\">No room appeared in time.</exception>")
                .Line($"public static global::System.Threading.Tasks.ValueTask<bool> WaitToClaimAsync({writer} writer{sizeParameters}, global::System.TimeSpan timeout, global::System.Threading.CancellationToken cancellationToken = default) =>")
                .Line($"    writer.WaitToWriteAsync(LengthFor({lengthArguments}), timeout, cancellationToken);");
        }

        private static void EmitField(SourceWriter source, ClassifiedField field)
        {
            string name = Names.Identifier(field.Name);
            string where = $"(<c>{Names.Xml(field.CanonicalType)}</c> at offset {field.Offset})";
            string attribute = field.IsObsolete ? "[global::System.Obsolete(\"Obsolete in the message: its bytes stay for older peers; new code should not use it.\")]\n" : "";
            switch (field.Kind)
            {
                case FieldKind.Scalar or FieldKind.Enum or FieldKind.Struct:
                    string read = field.CanonicalType == "bool" ? $"{Names.Bytes}.ReadBool(__record, {field.Offset})" : $"{Names.Bytes}.Read<{field.TypeName}>(__record, {field.Offset})";
                    source.Line($"/// <summary>The <c>{field.Name}</c> field {where}.</summary>")
                        .Open($"{attribute}public {field.TypeName} {name}")
                        .Line($"readonly get => {read};")
                        .Line($"set => {Names.Bytes}.Write<{field.TypeName}>(__record, {field.Offset}, value);")
                        .Close();
                    break;
                case FieldKind.FixedArray:
                    source.Line($"/// <summary>The <c>{field.Name}</c> field {where}, in place.</summary>")
                        .Line($"{attribute}public readonly {Names.Span}<{field.ElementTypeName}> {name} => {Names.Bytes}.FixedArray<{field.ElementTypeName}>(__record, {field.Offset}, {field.Count});");
                    break;
                case FieldKind.VarBytes:
                    source.Line($"/// <summary>The bytes of <c>{field.Name}</c>, in the record's tail: fill all of them.</summary>")
                        .Line($"{attribute}public readonly {Names.Span}<byte> {name} => __{field.Name};");
                    break;
                case FieldKind.VarUtf8:
                    source.Line($"/// <summary>The UTF-8 bytes of the <c>{field.Name}</c> text, in the record's tail: fill all of them (e.g. with <c>Encoding.UTF8.GetBytes</c>).</summary>")
                        .Line($"{attribute}public readonly {Names.Span}<byte> {field.Name}Utf8 => __{field.Name};");
                    break;
                default:
                    source.Line($"/// <summary>The elements of <c>{field.Name}</c>, in the record's tail: fill all of them.</summary>")
                        .Line($"{attribute}public readonly {Names.Span}<{field.ElementTypeName}> {name} => global::System.Runtime.InteropServices.MemoryMarshal.Cast<byte, {field.ElementTypeName}>(__{field.Name});");
                    break;
            }
        }

        private static string SizeParameter(ClassifiedField field) => Names.Parameter(field.Name, field.Kind == FieldKind.VarArray ? "Count" : "Length");

        private static int Alignment(ClassifiedField field) => field.ElementAlignment > TailAlignment ? field.ElementAlignment : TailAlignment;
    }
}
