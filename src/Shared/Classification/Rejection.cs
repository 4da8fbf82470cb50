namespace NeoBuffer.Classification
{
    /// <summary>One reason a message cannot cross a process boundary.</summary>
    /// <param name="Reason">Why.</param>
    /// <param name="FieldPath">
    /// The offending field as a dotted path from the message (<c>Inner.Ptr</c>, <c>Points[].X</c>); empty when the type
    /// itself is at fault.
    /// </param>
    /// <param name="TypeDisplay">The offending type as C# shows it (the field's type, or the message type).</param>
    internal sealed record Rejection(RejectionReason Reason, string FieldPath, string TypeDisplay);
}
