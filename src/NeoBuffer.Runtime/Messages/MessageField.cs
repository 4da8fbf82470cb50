namespace NeoBuffer;

/// <summary>One field of a <see cref="MessageLayout"/>.</summary>
/// <param name="Name">The field's name in the message struct.</param>
/// <param name="Kind">What the field is.</param>
/// <param name="Offset">Byte offset from the start of the message.</param>
/// <param name="Size">Size in bytes in the fixed block (8 for a variable-length descriptor).</param>
/// <param name="ElementType">The canonical name of the element type for arrays and scalars (e.g. <c>int32</c>).</param>
public sealed record MessageField(string Name, FieldKind Kind, int Offset, int Size, string ElementType);
