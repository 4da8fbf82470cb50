namespace NeoBuffer.Classification
{
    /// <summary>One field of a message as the classifier sees it: plain data only, so that it can live in a cached model.</summary>
    /// <param name="Name">The field's name.</param>
    /// <param name="Kind">What the field is.</param>
    /// <param name="TypeName">The field's C# type, fully qualified with <c>global::</c> (for a fixed buffer, its element type).</param>
    /// <param name="ElementTypeName">
    /// The C# type of one element, fully qualified: the element of an array, <c>byte</c> for bytes and text, the field's
    /// own type otherwise.
    /// </param>
    /// <param name="CanonicalType">The type as the schema text spells it, e.g. <c>int32</c>, <c>int16[8]</c>, <c>uint8[]</c>.</param>
    /// <param name="Offset">Byte offset from the start of the containing message.</param>
    /// <param name="Size">Size in the fixed block (8 for a variable-length descriptor).</param>
    /// <param name="Alignment">Alignment in the fixed block.</param>
    /// <param name="ElementSize">Size of one element (for non-arrays, the field's size).</param>
    /// <param name="ElementAlignment">Alignment of one element.</param>
    /// <param name="Count">Element count of a fixed array; 1 otherwise (0 for variable-length fields).</param>
    /// <param name="IsFixedBuffer">Whether the field is a C# <c>fixed</c> buffer (rather than an inline array).</param>
    /// <param name="Members">
    /// For a nested message, or arrays of one: that message's fields, offsets relative to its start. Empty otherwise.
    /// </param>
    /// <param name="Since">The version that added the field (<c>[Since(n)]</c>); 0 when it has no such attribute (version 1).</param>
    /// <param name="IsObsolete">Whether the field is marked <c>[Obsolete]</c>.</param>
    internal sealed record ClassifiedField(
        string Name,
        FieldKind Kind,
        string TypeName,
        string ElementTypeName,
        string CanonicalType,
        int Offset,
        int Size,
        int Alignment,
        int ElementSize,
        int ElementAlignment,
        int Count,
        bool IsFixedBuffer,
        EquatableArray<ClassifiedField> Members,
        int Since = 0,
        bool IsObsolete = false)
    {
        /// <summary>Whether the field is a descriptor whose bytes live in the message's tail.</summary>
        public bool IsVariable => Kind is FieldKind.VarBytes or FieldKind.VarUtf8 or FieldKind.VarArray;

        /// <summary>Whether records of earlier versions lack the field, so that views ask <c>Has&lt;Field&gt;</c> first.</summary>
        public bool IsAddedLater => Since > 1;

        /// <summary>Where the field ends in the fixed block: a record whose block reaches here has it.</summary>
        public int End => Offset + Size;
    }
}
