using NeoBuffer.Classification;

namespace NeoBuffer.Generators.Model
{
    /// <summary>
    /// Everything emission needs about one message, as plain values: the pipeline caches on its equality, so it holds
    /// no symbol, syntax node, location or compilation.
    /// </summary>
    /// <param name="Namespace">The containing namespace, empty for the global namespace.</param>
    /// <param name="ContainingTypes">Declarations of the containing types, outermost first, e.g. <c>partial class Outer</c>.</param>
    /// <param name="Declaration">The message's own partial declaration, e.g. <c>partial struct VideoFrame</c>.</param>
    /// <param name="TypeName">The message's simple name.</param>
    /// <param name="FullyQualifiedName">The message type with <c>global::</c>.</param>
    /// <param name="SchemaName">The stable schema name.</param>
    /// <param name="FixedSize">Size of the fixed block.</param>
    /// <param name="Alignment">Alignment of the fixed block.</param>
    /// <param name="Fields">The fields in declaration order, with their offsets.</param>
    /// <param name="SchemaText">The canonical schema text.</param>
    /// <param name="HintName">The generated file's name.</param>
    /// <param name="Version">The message's version; 0 when it does not evolve (no block prefix).</param>
    /// <param name="FirstVersionEnd">Where the first version's fields end: the least block length a record may carry.</param>
    /// <param name="BlockLength">Where this version's fields end: the block length its builder writes.</param>
    internal sealed record MessageModel(
        string Namespace,
        EquatableArray<string> ContainingTypes,
        string Declaration,
        string TypeName,
        string FullyQualifiedName,
        string SchemaName,
        int FixedSize,
        int Alignment,
        EquatableArray<ClassifiedField> Fields,
        string SchemaText,
        string HintName,
        int Version,
        int FirstVersionEnd,
        int BlockLength)
    {
        public bool IsVersioned => Version > 0;
    }
}
