using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using NeoBuffer.Analyzers.Diagnostics;
using NeoBuffer.Analyzers.Locking;

namespace NeoBuffer.CodeFixes
{
    /// <summary>
    /// NB0108: writes the message's current schema into the project's <c>neobuffer.schema.lock</c> (an additional
    /// document), in place of its entry or as a new one. Offered only for compatible changes: a breaking one (NB0109)
    /// has no fix that keeps old peers working, so none is offered.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UpdateSchemaLockCodeFix)), Shared]
    public sealed class UpdateSchemaLockCodeFix : CodeFixProvider
    {
        private const string EquivalenceKey = "NeoBuffer.UpdateSchemaLock";

        /// <inheritdoc/>
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.SchemaNotLocked.Id);

        /// <inheritdoc/>
        public override FixAllProvider? GetFixAllProvider() => null;

        /// <inheritdoc/>
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            TextDocument? lockFile = context.Document.Project.AdditionalDocuments.FirstOrDefault(d => SchemaLockFile.IsLockFile(d.FilePath ?? d.Name));
            foreach (Diagnostic diagnostic in context.Diagnostics)
            {
                if (lockFile is null ||
                    !diagnostic.Properties.TryGetValue(SchemaLockCheck.TypeNameProperty, out string? type) || type is null ||
                    !diagnostic.Properties.TryGetValue(SchemaLockCheck.SchemaNameProperty, out string? name) || name is null ||
                    !diagnostic.Properties.TryGetValue(SchemaLockCheck.SchemaTextProperty, out string? schema) || schema is null)
                {
                    continue;
                }

                var entry = new SchemaLockEntry(type, name, schema);
                context.RegisterCodeFix(
                    CodeAction.Create($"Record '{name}' in {SchemaLockFile.FileName}", token => UpdateAsync(lockFile, entry, token), EquivalenceKey),
                    diagnostic);
            }

            return Task.CompletedTask;
        }

        private static async Task<Solution> UpdateAsync(TextDocument lockFile, SchemaLockEntry entry, CancellationToken cancellationToken)
        {
            SourceText text = await lockFile.GetTextAsync(cancellationToken).ConfigureAwait(false);
            string updated = SchemaLockFile.WithEntry(text.ToString(), entry);
            return lockFile.Project.Solution.WithAdditionalDocumentText(lockFile.Id, SourceText.From(updated, text.Encoding));
        }
    }
}
