using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using NeoBuffer.Analyzers.Diagnostics;
using NeoBuffer.Classification;

namespace NeoBuffer.Analyzers.Locking
{
    /// <summary>
    /// Compares a valid message with its entry in the lock file, by the rules a channel applies when it opens
    /// (<see cref="MessageSchema.CheckCompatible"/>): a compatible change, or a message not locked yet, is NB0108 (its
    /// fix writes the entry); a breaking change is NB0109 at each field it concerns, saying what to do instead.
    /// </summary>
    internal static class SchemaLockCheck
    {
        /// <summary>Diagnostic properties the lock-file fix reads.</summary>
        public const string TypeNameProperty = "NeoBuffer.LockType";
        public const string SchemaNameProperty = "NeoBuffer.LockSchemaName";
        public const string SchemaTextProperty = "NeoBuffer.LockSchemaText";

        public static IEnumerable<Diagnostic> Check(INamedTypeSymbol type, MessageClassification message, IReadOnlyList<SchemaLockEntry> locked)
        {
            string typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", "");
            string text = SchemaText.Build(message);
            Location typeLocation = type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
            SchemaLockEntry? entry = locked.FirstOrDefault(e => e.SchemaName == message.SchemaName)
                ?? locked.FirstOrDefault(e => e.TypeName == typeName);
            if (entry is not null && entry.SchemaText == text)
            {
                yield break;
            }

            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(TypeNameProperty, typeName)
                .Add(SchemaNameProperty, message.SchemaName)
                .Add(SchemaTextProperty, text);
            if (entry is null)
            {
                yield return Diagnostic.Create(DiagnosticDescriptors.SchemaNotLocked, typeLocation, properties, type.ToDisplayString(), "is not in " + SchemaLockFile.FileName + " yet");
                yield break;
            }

            IReadOnlyList<string> problems = MessageSchema.TryParse(entry.SchemaText, out MessageSchema? shipped, out string? error)
                ? MessageSchema.CheckCompatible(MessageSchema.Parse(text), shipped)
                : new[] { $"its entry in {SchemaLockFile.FileName} does not parse ({error}): restore the file from source control" };
            if (problems.Count == 0)
            {
                yield return Diagnostic.Create(DiagnosticDescriptors.SchemaNotLocked, typeLocation, properties, type.ToDisplayString(), "extends its locked schema compatibly");
                yield break;
            }

            foreach (string problem in problems)
            {
                yield return Diagnostic.Create(DiagnosticDescriptors.BreakingSchemaChange, LocationOf(type, problem, typeLocation), type.ToDisplayString(), problem.Replace(" here,", " now,").Replace(" there", " in the lock file"));
            }
        }

        // At the first field of the message the problem names (quoted), else at the message.
        private static Location LocationOf(INamedTypeSymbol type, string problem, Location fallback)
        {
            foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsImplicitlyDeclared))
            {
                if (problem.Contains("'" + field.Name + "'") && field.Locations.FirstOrDefault(l => l.IsInSource) is { } location)
                {
                    return location;
                }
            }

            return fallback;
        }
    }
}
