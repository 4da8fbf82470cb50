namespace NeoBuffer.Classification
{
    /// <summary>
    /// Why a <c>[ChannelMessage]</c> type, or one of its fields, cannot cross a process boundary. The analyzers turn each
    /// reason into its diagnostic (the id in each comment: docs/diagnostics.md, and NB0100 up for the rest); the generator emits
    /// nothing for a type with any reason.
    /// </summary>
    internal enum RejectionReason
    {
        /// <summary>NB0001: the attribute is on something that is not a partial struct.</summary>
        NotPartialStruct,

        /// <summary>NB0002: a field of reference type.</summary>
        ReferenceType,

        /// <summary>NB0003: a pointer or function-pointer field.</summary>
        Pointer,

        /// <summary>NB0004: <c>nint</c>/<c>nuint</c>/<c>IntPtr</c>/<c>UIntPtr</c>.</summary>
        NativeSizedInteger,

        /// <summary>NB0005: auto layout, on the type or in a field's type (including BCL auto-layout structs).</summary>
        AutoLayout,

        /// <summary>NB0006: a struct from another assembly that is not <c>[ChannelMessage]</c>.</summary>
        UntrustedExternalStruct,

        /// <summary>NB0007: a generic message type, or one nested in a generic type.</summary>
        Generic,

        /// <summary>NB0008: a containing type is not partial (one rejection per such type, whose display it carries).</summary>
        ContainingTypeNotPartial,

        /// <summary>NB0009: a ref struct, <c>Span&lt;T&gt;</c> or by-ref field (or the message is a ref struct).</summary>
        RefLike,

        /// <summary>NB0010: explicit layout or <c>[FieldOffset]</c>.</summary>
        ExplicitLayout,

        /// <summary>NB0011: a variable-length field inside a nested struct or an array element.</summary>
        VarFieldInNestedStruct,

        /// <summary>
        /// NB0100: a struct of this assembly that is not <c>[ChannelMessage]</c> (nor an inline array).
        /// Mark it <c>[ChannelMessage]</c> so that its own layout is generated and checked.
        /// </summary>
        NotAChannelMessage,

        /// <summary>
        /// NB0101: a compiler-generated field (an auto-property's backing field, a captured primary-constructor
        /// parameter). Its offset cannot be named in generated code, so declare a field instead. The path names the
        /// property or parameter.
        /// </summary>
        HiddenField,

        /// <summary>
        /// NB0102: <c>[StructLayout]</c> with <c>Pack</c> or <c>Size</c>, which changes offsets away from
        /// natural alignment.
        /// </summary>
        PackOrSizeOverride,

        /// <summary>
        /// NB0103: a field name the generated <c>View</c>/<c>Builder</c> needs for itself (see
        /// <see cref="MessageClassifier.ReservedNames"/>), or one starting with two underscores.
        /// </summary>
        ReservedName,

        /// <summary>NB0104: <c>[Since(n)]</c> on a field of a message without <c>Version</c>, whose records cannot tell versions apart.</summary>
        SinceWithoutVersion,

        /// <summary>
        /// NB0105: a <c>Version</c> below 0 or above 65535, or a <c>[Since(n)]</c> outside 2 up to the message's version.
        /// </summary>
        VersionOutOfRange,

        /// <summary>
        /// NB0106: a field declared after one of a later version: fields are appended in version order, so that each
        /// version's fields are a prefix of the next one's.
        /// </summary>
        SinceOutOfOrder,

        /// <summary>
        /// NB0107: a versioned message used as a nested field or array element: only a whole record carries the block
        /// prefix, so an embedded copy could not tell its version.
        /// </summary>
        VersionedNested,

        /// <summary>No diagnostic: the field's type does not resolve, and the compiler already reports that.</summary>
        Unresolved,
    }
}
