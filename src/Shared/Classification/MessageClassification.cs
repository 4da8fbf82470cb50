using System.Linq;

namespace NeoBuffer.Classification
{
    /// <summary>
    /// The classifier's verdict on a <c>[ChannelMessage]</c> type: its fields and layout when it may cross a process
    /// boundary, or every reason it may not.
    /// </summary>
    /// <param name="SchemaName">The stable schema name: the attribute's <c>Name</c>, or the full type name.</param>
    /// <param name="FixedSize">Size of the fixed block (meaningful only when <see cref="IsValid"/>).</param>
    /// <param name="Alignment">Alignment of the fixed block.</param>
    /// <param name="Fields">The instance fields in declaration order.</param>
    /// <param name="Rejections">Why the type cannot cross; empty when it can.</param>
    /// <param name="Version">The message's <c>[ChannelMessage(Version = n)]</c>; 0 when it does not evolve.</param>
    internal sealed record MessageClassification(
        string SchemaName,
        int FixedSize,
        int Alignment,
        EquatableArray<ClassifiedField> Fields,
        EquatableArray<Rejection> Rejections,
        int Version = 0)
    {
        /// <summary>Above this fixed size the analyzers warn (NB0012): the bulk belongs in a variable-length field.</summary>
        public const int LargeFixedSize = 64 * 1024;

        public bool IsValid => Rejections.IsEmpty;

        public bool HasVariableFields => Fields.Any(f => f.IsVariable);

        public bool IsVersioned => Version > 0;

        /// <summary>Where the first version's fields end: every record of the message has at least these.</summary>
        public int FirstVersionEnd => Fields.Where(f => !f.IsAddedLater).Select(f => f.End).DefaultIfEmpty(0).Max();

        /// <summary>Where this version's fields end: the block length its records carry.</summary>
        public int BlockLength => Fields.Select(f => f.End).DefaultIfEmpty(0).Max();
    }
}
