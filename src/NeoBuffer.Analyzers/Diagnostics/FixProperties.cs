namespace NeoBuffer.Analyzers.Diagnostics
{
    /// <summary>
    /// Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> by which the analyzer tells the code fixes what
    /// to do: the analyzer decides (with the classifier), the fixes only rewrite syntax.
    /// </summary>
    internal static class FixProperties
    {
        /// <summary>
        /// Present when the diagnostic sits on a struct declaration that, with its containing types, only lacks the
        /// <c>partial</c> keyword.
        /// </summary>
        public const string AddPartial = "NeoBuffer.AddPartial";

        /// <summary>
        /// The type a field's declared type should become, as C# source fully qualified with <c>global::</c>
        /// (<c>global::NeoBuffer.VarUtf8</c>, <c>long</c>); present only for a field whose own type is at fault.
        /// </summary>
        public const string ReplacementType = "NeoBuffer.ReplacementType";

        /// <summary>The replacement as the user reads it (<c>VarUtf8</c>, <c>VarArray&lt;Demo.Point&gt;</c>, <c>long</c>).</summary>
        public const string ReplacementDisplay = "NeoBuffer.ReplacementDisplay";
    }
}
