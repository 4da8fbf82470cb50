using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using NeoBuffer.Analyzers.Diagnostics;
using NeoBuffer.Analyzers.Locking;
using NeoBuffer.Classification;

namespace NeoBuffer.Analyzers
{
    /// <summary>
    /// Reports why a <c>[ChannelMessage]</c> type cannot cross a process boundary: every rejection of the shared
    /// classifier (the one the generator uses, which emits nothing for such a type), and a fixed part over 64 KiB; and,
    /// where the project has a <c>neobuffer.schema.lock</c>, how each message differs from its shipped schema.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ChannelMessageAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc/>
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

        /// <inheritdoc/>
        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterCompilationStartAction(start =>
            {
                // A compilation that cannot see the attribute has no messages: register nothing, cost nothing.
                INamedTypeSymbol? attribute = start.Compilation.GetTypeByMetadataName(MessageClassifier.AttributeName);
                if (attribute is not null)
                {
                    // Messages are compared with the lock file only where the project has one.
                    AdditionalText? lockFile = start.Options.AdditionalFiles.FirstOrDefault(f => SchemaLockFile.IsLockFile(f.Path));
                    List<SchemaLockEntry>? locked = lockFile?.GetText(start.CancellationToken) is { } text ? SchemaLockFile.Parse(text.ToString()) : null;
                    start.RegisterSymbolAction(symbol => AnalyzeType(symbol, attribute, locked), SymbolKind.NamedType);
                }
            });
        }

        private static void AnalyzeType(SymbolAnalysisContext context, INamedTypeSymbol attribute, IReadOnlyList<SchemaLockEntry>? locked)
        {
            var type = (INamedTypeSymbol)context.Symbol;
            if (!type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute)))
            {
                return;
            }

            MessageClassification classification = MessageClassifier.Classify(type, context.CancellationToken);
            foreach (Rejection rejection in classification.Rejections.Distinct())
            {
                if (RejectionDiagnostic.Create(rejection, type, context.CancellationToken) is { } diagnostic)
                {
                    context.ReportDiagnostic(diagnostic);
                }
            }

            if (classification.IsValid && classification.FixedSize > MessageClassification.LargeFixedSize)
            {
                Location location = type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LargeFixedPart, location, type.ToDisplayString(), classification.FixedSize));
            }

            if (classification.IsValid && locked is not null)
            {
                foreach (Diagnostic diagnostic in SchemaLockCheck.Check(type, classification, locked))
                {
                    context.ReportDiagnostic(diagnostic);
                }
            }
        }
    }
}
