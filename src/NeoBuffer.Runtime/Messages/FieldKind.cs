namespace NeoBuffer;

/// <summary>What a message field is, as far as its bytes are concerned.</summary>
public enum FieldKind
{
    /// <summary>A primitive number, <see cref="bool"/>, <see cref="char"/>, <see cref="System.Half"/>, <see cref="decimal"/>, <see cref="System.Int128"/>/<see cref="System.UInt128"/> or <see cref="System.Guid"/>.</summary>
    Scalar = 0,

    /// <summary>An enum, stored as its underlying integer.</summary>
    Enum = 1,

    /// <summary>A <c>fixed</c> buffer or an <c>[InlineArray]</c> of fixed elements.</summary>
    FixedArray = 2,

    /// <summary>A nested <c>[ChannelMessage]</c> struct (its fixed part).</summary>
    Struct = 3,

    /// <summary>A <see cref="VarBytes"/> descriptor.</summary>
    VarBytes = 4,

    /// <summary>A <see cref="VarUtf8"/> descriptor.</summary>
    VarUtf8 = 5,

    /// <summary>A <see cref="VarArray{T}"/> descriptor.</summary>
    VarArray = 6,
}
