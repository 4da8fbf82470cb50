namespace NeoBuffer.Classification
{
    /// <summary>What the classifier decided about a <c>[ProcessFunction]</c> method.</summary>
    /// <param name="Parameters">How each parameter crosses, in order (those it rejected left out).</param>
    /// <param name="Result">How the result crosses back; null for a function that returns nothing.</param>
    /// <param name="IsAsync">Whether the function returns a <c>Task</c> or <c>ValueTask</c>, awaited in the child.</param>
    /// <param name="Rejections">Why it cannot run in a child, if it cannot.</param>
    internal sealed record ProcessFunctionClassification(
        EquatableArray<ProcessArgument> Parameters,
        ProcessArgument? Result,
        bool IsAsync,
        EquatableArray<ProcessRejection> Rejections)
    {
        public bool IsValid => Rejections.IsEmpty;
    }
}
