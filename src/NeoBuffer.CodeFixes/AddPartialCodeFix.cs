using System.Collections.Generic;
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
using Microsoft.CodeAnalysis.Editing;
using NeoBuffer.Analyzers.Diagnostics;

namespace NeoBuffer.CodeFixes
{
    /// <summary>
    /// NB0001, NB0008: adds <c>partial</c> to the message and to every type that contains it, where the analyzer says
    /// that is all the declaration lacks.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFix)), Shared]
    public sealed class AddPartialCodeFix : CodeFixProvider
    {
        private const string Title = "Make the message and its containing types partial";
        private const string EquivalenceKey = "NeoBuffer.AddPartial";

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.NotPartialStruct.Id, DiagnosticDescriptors.ContainingTypeNotPartial.Id);

        /// <inheritdoc/>
        public override FixAllProvider GetFixAllProvider() =>
            FixAllProvider.Create((context, document, diagnostics) => FixAsync(document, diagnostics, context.CancellationToken));

        /// <inheritdoc/>
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (Diagnostic diagnostic in context.Diagnostics.Where(d => d.Properties.ContainsKey(FixProperties.AddPartial)))
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, token => FixAsync(context.Document, ImmutableArray.Create(diagnostic), token)!, EquivalenceKey),
                    diagnostic);
            }

            return Task.CompletedTask;
        }

        // All at once, so that one type reached from several diagnostics gets the keyword once.
        private static async Task<Document?> FixAsync(Document document, ImmutableArray<Diagnostic> diagnostics, CancellationToken cancellationToken)
        {
            SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
            if (root is null)
            {
                return document;
            }

            var lacking = new HashSet<TypeDeclarationSyntax>();
            foreach (Diagnostic diagnostic in diagnostics.Where(d => d.Properties.ContainsKey(FixProperties.AddPartial)))
            {
                TypeDeclarationSyntax? message = root.FindNode(diagnostic.Location.SourceSpan).FirstAncestorOrSelf<TypeDeclarationSyntax>();
                lacking.UnionWith(message?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)) ?? []);
            }

            SyntaxGenerator generator = SyntaxGenerator.GetGenerator(document);
            SyntaxNode fixedRoot = root.ReplaceNodes(lacking, (_, rewritten) => generator.WithModifiers(rewritten, generator.GetModifiers(rewritten).WithPartial(true)));
            return document.WithSyntaxRoot(fixedRoot);
        }
    }
}
