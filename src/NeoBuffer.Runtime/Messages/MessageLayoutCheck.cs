using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Text;

namespace NeoBuffer;

/// <summary>
/// The check every generated message runs once, when its <c>Layout</c> is first used: the generator's offsets and size
/// must be the CLR's, or reading <c>ref readonly M</c> over shared memory would be wrong; and the fingerprint the
/// generator computed must be the one the runtime computes. Public only for generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MessageLayoutCheck
{
    /// <summary>The offset of <paramref name="field"/> inside <paramref name="message"/>, as the CLR laid it out.</summary>
    public static int OffsetOf<TMessage, TField>(ref readonly TMessage message, ref readonly TField field) =>
        (int)Unsafe.ByteOffset(
            ref Unsafe.As<TMessage, byte>(ref Unsafe.AsRef(in message)),
            ref Unsafe.As<TField, byte>(ref Unsafe.AsRef(in field)));

    /// <summary>Throws when <paramref name="layout"/> disagrees with the CLR or with the compile-time fingerprint.</summary>
    /// <param name="layout">The layout the generator computed.</param>
    /// <param name="compiledFingerprint">The fingerprint the generator computed from the same schema text.</param>
    /// <param name="clrSize"><c>Unsafe.SizeOf</c> of the message.</param>
    /// <param name="clrOffsets">The CLR's offset of each field, in <see cref="MessageLayout.Fields"/> order.</param>
    /// <exception cref="InvalidOperationException">They disagree; the message says where.</exception>
    public static void Verify(MessageLayout layout, ulong compiledFingerprint, int clrSize, ReadOnlySpan<int> clrOffsets)
    {
        if (layout.Fingerprint != compiledFingerprint)
        {
            throw new InvalidOperationException(
                $"Message '{layout.Name}': the fingerprint compiled in (0x{compiledFingerprint:x16}) is not the one the runtime computes from its " +
                $"schema text (0x{layout.Fingerprint:x16}). The NeoBuffer generator and runtime are from different versions.");
        }

        var problems = new StringBuilder();
        if (clrSize != layout.FixedSize)
        {
            problems.Append($"{Environment.NewLine}  size: generator {layout.FixedSize}, CLR {clrSize}");
        }

        for (int i = 0; i < layout.Fields.Count; i++)
        {
            MessageField field = layout.Fields[i];
            if (i >= clrOffsets.Length || clrOffsets[i] != field.Offset)
            {
                problems.Append($"{Environment.NewLine}  field {field.Name}: generator offset {field.Offset}, CLR {(i < clrOffsets.Length ? clrOffsets[i] : -1)}");
            }
        }

        if (problems.Length > 0)
        {
            throw new InvalidOperationException(
                $"Message '{layout.Name}': the layout the NeoBuffer generator computed is not the one the CLR uses on this platform, " +
                $"so its bytes in shared memory would be misread:{problems}");
        }
    }
}
