using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;
using NeoBuffer.Analyzers.Diagnostics;

namespace NeoBuffer.CodeFixes
{
    /// <summary>
    /// NB0002, NB0004, NB0005 (and NB0127 for a process function's parameter): gives a field the cross-process type the analyzer names (<c>string</c> -> <c>VarUtf8</c>,
    /// <c>byte[]</c> -> <c>VarBytes</c>, <c>T[]</c> -> <c>VarArray&lt;T&gt;</c>, <c>nint</c> -> <c>long</c>,
    /// <c>nuint</c> -> <c>ulong</c>, <c>DateTime</c>/<c>DateTimeOffset</c> -> <c>long</c> ticks).
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReplaceFieldTypeCodeFix)), Shared]
    public sealed class ReplaceFieldTypeCodeFix : CodeFixProvider
    {
        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.ReferenceType.Id, DiagnosticDescriptors.NativeSizedInteger.Id, DiagnosticDescriptors.AutoLayout.Id,
            ProcessFunctionDescriptors.MessageByValue.Id);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() =>
            FixAllProvider.Create((context, document, diagnostics) =>
                FixAsync(document, diagnostics.Where(d => EquivalenceKey(d) == context.CodeActionEquivalenceKey), context.CancellationToken));

        /// <inheritdoc/>
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (diagnostic.Properties.TryGetValue(FixProperties.ReplacementDisplay, out string? display) && EquivalenceKey(diagnostic) is { } key)
                {
                    context.RegisterCodeFix(
                        CodeAction.Create($"Change the type to {display}", token => FixAsync(context.Document, [diagnostic], token)!, key),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        // One fix-all per kind of replacement: every string to VarUtf8, every array to VarArray<T>, and so on.
        private static string? EquivalenceKey(Diagnostic diagnostic) =>
            diagnostic.Properties.TryGetValue(FixProperties.ReplacementType, out string? type) && type is not null
                ? "NeoBuffer.ReplaceFieldType:" + type.Split('<')[0]
                : null;

        private static async Task<Document?> FixAsync(Document document, System.Collections.Generic.IEnumerable<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return document;
            }

            // Several declarators share one type (public string A, B;): each declaration's type is replaced once.
            var replacements = diagnostics
                .Where(d => d.Properties.ContainsKey(FixProperties.ReplacementType))
                .Select(d => (Type: TypeAt(root.FindNode(d.Location.SourceSpan)), Source: d.Properties[FixProperties.ReplacementType]!))
                .Where(r => r.Type is not null)
                .GroupBy(r => r.Type!)
                .ToDictionary(g => g.Key, g => g.First().Source);

            SyntaxNode fixedRoot = root.ReplaceNodes(replacements.Keys, (original, _) =>
                SyntaxFactory.ParseTypeName(replacements[original])
                    .WithTriviaFrom(original)
                    .WithAdditionalAnnotations(Simplifier.Annotation, Simplifier.AddImportsAnnotation));
            return document.WithSyntaxRoot(fixedRoot);
        }

        // A field's diagnostic points at its declarator; a process function parameter's at the parameter's type.
        private static TypeSyntax? TypeAt(SyntaxNode node) =>
            node.FirstAncestorOrSelf<VariableDeclarationSyntax>()?.Type ?? node.FirstAncestorOrSelf<ParameterSyntax>()?.Type;
    }
}
