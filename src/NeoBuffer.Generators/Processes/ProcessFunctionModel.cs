using NeoBuffer.Classification;

namespace NeoBuffer.Generators.Processes
{
    /// <summary>Everything the generator emits for one <c>[ProcessFunction]</c>: plain values, no symbols.</summary>
    /// <param name="Namespace">The containing namespace; empty for the global one.</param>
    /// <param name="ContainingDeclarations">Each containing type's declaration, outermost first (<c>partial class Calc</c>).</param>
    /// <param name="ContainingTypeName">The immediately containing type, fully qualified with <c>global::</c>.</param>
    /// <param name="MethodName">The method's name.</param>
    /// <param name="FunctionName">What the child looks the function up by: <c>Namespace.Type.Method</c>.</param>
    /// <param name="Accessibility">The generated class's accessibility: <c>public</c> for a public method, else <c>internal</c>.</param>
    /// <param name="Classification">The parameters and result, as the shared classifier found them.</param>
    /// <param name="HintName">The generated file's name.</param>
    internal sealed record ProcessFunctionModel(
        string Namespace,
        EquatableArray<string> ContainingDeclarations,
        string ContainingTypeName,
        string MethodName,
        string FunctionName,
        string Accessibility,
        ProcessFunctionClassification Classification,
        string HintName);
}
