using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using NeoBuffer.Classification;
using NeoBuffer.Generators.Model;

namespace NeoBuffer.Generators.Processes
{
    /// <summary>Turns a <c>[ProcessFunction]</c> method into its model, or into nothing when the classifier rejects it.</summary>
    internal static class ProcessFunctionModelFactory
    {
        public static ProcessFunctionModel? Create(IMethodSymbol method, CancellationToken cancellationToken)
        {
            ProcessFunctionClassification classification = ProcessFunctionClassifier.Classify(method, cancellationToken);
            if (!classification.IsValid || method.ContainingType is null)
            {
                return null;
            }

            var containing = new List<string>();
            for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
            {
                containing.Insert(0, MessageModelFactory.Declaration(type));
            }

            string typeName = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            string functionName = typeName.Substring("global::".Length) + "." + method.Name;
            bool isPublic = method.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal;
            return new ProcessFunctionModel(
                method.ContainingNamespace.IsGlobalNamespace ? "" : method.ContainingNamespace.ToDisplayString(),
                containing.ToEquatableArray(),
                typeName,
                method.Name,
                functionName,
                isPublic ? "public" : "internal",
                classification,
                functionName + ProcessFunctionClassifier.HintSuffix);
        }
    }
}
