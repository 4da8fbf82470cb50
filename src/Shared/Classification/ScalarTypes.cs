using Microsoft.CodeAnalysis;

namespace NeoBuffer.Classification
{
    /// <summary>The fixed-size BCL types a message may hold, with their schema spelling, size and natural alignment.</summary>
    internal static class ScalarTypes
    {
        /// <summary>Recognises <paramref name="type"/> as an allowed scalar; false for anything else.</summary>
        public static bool TryGet(ITypeSymbol type, out string canonical, out int size, out int alignment)
        {
            (canonical, size, alignment) = type.SpecialType switch
            {
                SpecialType.System_Boolean => ("bool", 1, 1),
                SpecialType.System_Char => ("char16", 2, 2),
                SpecialType.System_SByte => ("int8", 1, 1),
                SpecialType.System_Byte => ("uint8", 1, 1),
                SpecialType.System_Int16 => ("int16", 2, 2),
                SpecialType.System_UInt16 => ("uint16", 2, 2),
                SpecialType.System_Int32 => ("int32", 4, 4),
                SpecialType.System_UInt32 => ("uint32", 4, 4),
                SpecialType.System_Int64 => ("int64", 8, 8),
                SpecialType.System_UInt64 => ("uint64", 8, 8),
                SpecialType.System_Single => ("float32", 4, 4),
                SpecialType.System_Double => ("float64", 8, 8),
                // decimal is { int flags; uint hi; ulong lo } in the CLR: 8-aligned.
                SpecialType.System_Decimal => ("decimal", 16, 8),
                _ => BySystemName(type),
            };
            return size != 0;
        }

        private static (string, int, int) BySystemName(ITypeSymbol type)
        {
            if (type.ContainingNamespace is not { Name: "System", ContainingNamespace.IsGlobalNamespace: true } || type.ContainingType is not null)
            {
                return ("", 0, 0);
            }

            return type.MetadataName switch
            {
                "Half" => ("float16", 2, 2),
                // The CLR aligns Int128/UInt128 to 16 (the platform ABI), not to their two 8-byte halves.
                "Int128" => ("int128", 16, 16),
                "UInt128" => ("uint128", 16, 16),
                "Guid" => ("guid", 16, 4),
                _ => ("", 0, 0),
            };
        }
    }
}
