// One definition of what a message field is, compiled twice: into the runtime as the public NeoBuffer.FieldKind that
// MessageLayout and MessageSchema report, and into the generator and the analyzers (NEOBUFFER_ROSLYN) as an internal
// enum of the classifier. The generator emits these names as the runtime's enum, so the two can never drift apart.
#if NEOBUFFER_ROSLYN
namespace NeoBuffer.Classification
#else
namespace NeoBuffer
#endif
{
    /// <summary>What a message field is, as far as its bytes are concerned.</summary>
#if NEOBUFFER_ROSLYN
    internal
#else
    public
#endif
    enum FieldKind
    {
        /// <summary>A primitive number, <c>bool</c>, <c>char</c>, <c>Half</c>, <c>decimal</c>, <c>Int128</c>/<c>UInt128</c> or <c>Guid</c>.</summary>
        Scalar = 0,

        /// <summary>An enum, stored as its underlying integer.</summary>
        Enum = 1,

        /// <summary>A <c>fixed</c> buffer or an <c>[InlineArray]</c> of fixed elements.</summary>
        FixedArray = 2,

        /// <summary>A nested <c>[ChannelMessage]</c> struct (its fixed part).</summary>
        Struct = 3,

        /// <summary>A <c>VarBytes</c> descriptor.</summary>
        VarBytes = 4,

        /// <summary>A <c>VarUtf8</c> descriptor.</summary>
        VarUtf8 = 5,

        /// <summary>A <c>VarArray&lt;T&gt;</c> descriptor.</summary>
        VarArray = 6,
    }
}
