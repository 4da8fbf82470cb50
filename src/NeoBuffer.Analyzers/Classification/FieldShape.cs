namespace NeoBuffer.Classification
{
    /// <summary>
    /// What a message field is, as far as its bytes are concerned. Mirrors <c>NeoBuffer.FieldKind</c> value for value
    /// (the runtime is not referenced from here): the generator emits these numbers as that enum.
    /// </summary>
    internal enum FieldShape
    {
        Scalar = 0,
        Enum = 1,
        FixedArray = 2,
        Struct = 3,
        VarBytes = 4,
        VarUtf8 = 5,
        VarArray = 6,
    }
}
