namespace NeoBuffer.Analyzers.Locking
{
    /// <summary>One message's locked schema.</summary>
    /// <param name="TypeName">The C# type it was locked from (so that a renamed schema name is recognised).</param>
    /// <param name="SchemaName">The message's schema name.</param>
    /// <param name="SchemaText">Its canonical schema text.</param>
    internal sealed record SchemaLockEntry(string TypeName, string SchemaName, string SchemaText);
}
