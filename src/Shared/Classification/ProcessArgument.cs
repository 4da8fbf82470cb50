namespace NeoBuffer.Classification
{
    /// <summary>A process function's parameter or result, as the generator encodes it.</summary>
    /// <param name="Name">The parameter's name (empty for the result).</param>
    /// <param name="Kind">How it crosses.</param>
    /// <param name="TypeName">Its type, fully qualified with nullability (what the function declares).</param>
    /// <param name="ElementTypeName">For messages and typed channels, <c>T</c> (a typed duplex: <c>TWrite</c>), fully qualified; otherwise empty.</param>
    /// <param name="SecondElementTypeName">For a typed duplex, <c>TRead</c>, fully qualified; otherwise empty.</param>
    /// <param name="IsNullable">Whether null may cross (a <c>string?</c>).</param>
    internal sealed record ProcessArgument(string Name, ProcessArgumentKind Kind, string TypeName, string ElementTypeName, string SecondElementTypeName, bool IsNullable);
}
