using System.Threading;
using Microsoft.CodeAnalysis;
using NeoBuffer.Classification;

namespace NeoBuffer.Analyzers.Diagnostics
{
    /// <summary>
    /// The cross-process type that carries what a rejected field type means, where there is one obvious choice: text,
    /// bytes, arrays of allowed elements, native-sized integers, and dates as ticks.
    /// </summary>
    /// <param name="Source">C# source, fully qualified, to put in place of the field's type.</param>
    /// <param name="Display">How the diagnostic and the fix title name it.</param>
    internal sealed record FieldTypeReplacement(string Source, string Display)
    {
        public static FieldTypeReplacement? For(ITypeSymbol type, IAssemblySymbol home, CancellationToken cancellationToken)
        {
            switch (type)
            {
                case { SpecialType: SpecialType.System_String }:
                    return new FieldTypeReplacement("global::NeoBuffer.VarUtf8", "VarUtf8");
                case IArrayTypeSymbol { IsSZArray: true, ElementType.SpecialType: SpecialType.System_Byte }:
                    return new FieldTypeReplacement("global::NeoBuffer.VarBytes", "VarBytes");
                case IArrayTypeSymbol { IsSZArray: true } array when MessageClassifier.IsAllowedElement(array.ElementType, home, cancellationToken):
                    return new FieldTypeReplacement(
                        $"global::NeoBuffer.VarArray<{array.ElementType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>",
                        $"VarArray<{array.ElementType.ToDisplayString()}>");
                case { SpecialType: SpecialType.System_IntPtr }:
                    return new FieldTypeReplacement("long", "long");
                case { SpecialType: SpecialType.System_UIntPtr }:
                    return new FieldTypeReplacement("ulong", "ulong");
                // The ticks keep every bit of a DateTime's instant; a DateTimeOffset's offset is dropped (store UtcTicks).
                case { SpecialType: SpecialType.System_DateTime }:
                case { Name: "DateTimeOffset", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } }:
                    return new FieldTypeReplacement("long", "long (ticks)");
                default:
                    return null;
            }
        }
    }
}
