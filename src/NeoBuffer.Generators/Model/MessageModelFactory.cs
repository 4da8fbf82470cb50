using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using NeoBuffer.Classification;

namespace NeoBuffer.Generators.Model
{
    /// <summary>Turns a <c>[ChannelMessage]</c> type into its model, or into nothing when the classifier rejects it.</summary>
    internal static class MessageModelFactory
    {
        public static MessageModel? Create(INamedTypeSymbol type, CancellationToken cancellationToken)
        {
            MessageClassification classification = MessageClassifier.Classify(type, cancellationToken);
            if (!classification.IsValid)
            {
                return null;
            }

            var containing = new List<string>();
            for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            {
                containing.Insert(0, Declaration(outer));
            }

            string fullName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            return new MessageModel(
                type.ContainingNamespace.IsGlobalNamespace ? "" : type.ContainingNamespace.ToDisplayString(),
                containing.ToEquatableArray(),
                Declaration(type),
                type.Name,
                fullName,
                classification.SchemaName,
                classification.FixedSize,
                classification.Alignment,
                classification.Fields,
                SchemaText.Build(classification),
                fullName.Substring("global::".Length) + ".g.cs",
                classification.Version,
                classification.FirstVersionEnd,
                classification.BlockLength);
        }

        internal static string Declaration(INamedTypeSymbol type)
        {
            string keyword = type.TypeKind switch
            {
                TypeKind.Struct when type.IsRecord => "record struct",
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ when type.IsRecord => "record",
                _ => "class",
            };
            return $"partial {keyword} {type.Name}";
        }
    }
}
