using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using NeoBuffer.Analyzers.Diagnostics;
using NeoBuffer.Classification;

namespace NeoBuffer.Analyzers
{
    /// <summary>
    /// Reports why a <c>[ProcessFunction]</c> cannot run in a child process: every rejection of the shared classifier
    /// (the one the generator uses, which emits nothing for such a method), at the parameter, return type or method at
    /// fault.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ProcessFunctionAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ProcessFunctionDescriptors.All;

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                INamedTypeSymbol? attribute = start.Compilation.GetTypeByMetadataName(ProcessFunctionClassifier.AttributeName);
                if (attribute is null)
                {
                    return;
                }

                start.RegisterSymbolAction(symbol => Analyze(symbol.ReportDiagnostic, (IMethodSymbol)symbol.Symbol, attribute, symbol.CancellationToken), SymbolKind.Method);
                // Lambdas and local functions are no symbols of the type: their declarations are found by syntax.
                start.RegisterSyntaxNodeAction(node =>
                {
                    if (node.SemanticModel.GetSymbolInfo(node.Node, node.CancellationToken).Symbol is IMethodSymbol lambda)
                    {
                        Analyze(node.ReportDiagnostic, lambda, attribute, node.CancellationToken);
                    }
                }, SyntaxKind.ParenthesizedLambdaExpression);
                start.RegisterSyntaxNodeAction(node =>
                {
                    if (node.SemanticModel.GetDeclaredSymbol(node.Node, node.CancellationToken) is IMethodSymbol local)
                    {
                        Analyze(node.ReportDiagnostic, local, attribute, node.CancellationToken);
                    }
                }, SyntaxKind.LocalFunctionStatement);
            });
        }

        private static void Analyze(System.Action<Diagnostic> report, IMethodSymbol method, INamedTypeSymbol attribute, System.Threading.CancellationToken cancellationToken)
        {
            if (!method.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute)))
            {
                return;
            }

            foreach (ProcessRejection rejection in ProcessFunctionClassifier.Classify(method, cancellationToken).Rejections)
            {
                var properties = ImmutableDictionary<string, string?>.Empty;
                if (rejection.Reason == ProcessRejectionReason.MessageByValue && rejection.ParameterIndex >= 0)
                {
                    string message = method.Parameters[rejection.ParameterIndex].Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                    properties = properties
                        .Add(FixProperties.ReplacementType, $"global::NeoBuffer.OwnedMessage<{message}>")
                        .Add(FixProperties.ReplacementDisplay, $"OwnedMessage<{method.Parameters[rejection.ParameterIndex].Type.Name}>");
                }

                report(Diagnostic.Create(ProcessFunctionDescriptors.For(rejection.Reason), Locate(method, rejection, cancellationToken), properties, rejection.Subject, rejection.Advice));
            }
        }

        private static Location Locate(IMethodSymbol method, ProcessRejection rejection, System.Threading.CancellationToken cancellationToken)
        {
            SyntaxNode? declaration = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
            if (rejection.Reason == ProcessRejectionReason.ContainingTypeNotPartial)
            {
                INamedTypeSymbol? type = ProcessFunctionClassifier.Containing(method).FirstOrDefault(t => "'" + t.Name + "'" == rejection.Subject);
                return type?.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
            }

            return (rejection.ParameterIndex, declaration) switch
            {
                (>= 0, _) when method.Parameters[rejection.ParameterIndex].DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is ParameterSyntax { Type: { } type } => type.GetLocation(),
                (ProcessRejection.ReturnIndex, MethodDeclarationSyntax m) => m.ReturnType.GetLocation(),
                (ProcessRejection.ReturnIndex, LocalFunctionStatementSyntax l) => l.ReturnType.GetLocation(),
                (_, MethodDeclarationSyntax m) => m.Identifier.GetLocation(),
                (_, LocalFunctionStatementSyntax l) => l.Identifier.GetLocation(),
                (_, ParenthesizedLambdaExpressionSyntax lambda) => lambda.ParameterList.GetLocation(),
                _ => method.Locations.FirstOrDefault() ?? Location.None,
            };
        }
    }
}
