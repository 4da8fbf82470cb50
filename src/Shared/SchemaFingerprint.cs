// This file is compiled into both the runtime and the source generator (linked, not copied),
// so a fingerprint computed at compile time and one computed at run time can never disagree.
namespace NeoBuffer
{
    /// <summary>
    /// The 64-bit identity of a message schema: FNV-1a over the UTF-8 bytes of its canonical schema text.
    /// </summary>
    internal static class SchemaFingerprint
    {
        /// <summary>The FNV-1a 64 starting value.</summary>
        public const ulong OffsetBasis = 14695981039346656037UL;
        private const ulong Prime = 1099511628211UL;

        /// <summary>Computes the fingerprint of <paramref name="schemaText"/>; never zero.</summary>
        public static ulong Compute(string schemaText)
        {
            ulong hash = Hash(System.Text.Encoding.UTF8.GetBytes(schemaText), OffsetBasis);

            // Zero is reserved for "no schema" (raw byte channels), so a real schema never maps to it.
            return hash == 0 ? Prime : hash;
        }

        /// <summary>Continues an FNV-1a 64 hash over <paramref name="bytes"/>.</summary>
        public static ulong Hash(System.ReadOnlySpan<byte> bytes, ulong hash)
        {
            foreach (byte b in bytes)
            {
                hash ^= b;
                hash *= Prime;
            }

            return hash;
        }
    }
}
