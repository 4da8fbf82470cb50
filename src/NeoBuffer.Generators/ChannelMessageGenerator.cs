using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NeoBuffer.Classification;
using NeoBuffer.Generators.Emit;
using NeoBuffer.Generators.Model;

namespace NeoBuffer.Generators
{
    /// <summary>
    /// Generates, for every valid <c>[ChannelMessage]</c> struct, its layout, fingerprint, <c>View</c> and
    /// <c>Builder</c>. A type the classifier rejects gets nothing, and no diagnostic: the analyzers say why.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ChannelMessageGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<MessageModel> models = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    MessageClassifier.AttributeName,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (target, cancellationToken) => MessageModelFactory.Create((INamedTypeSymbol)target.TargetSymbol, cancellationToken))
                .Where(static model => model is not null)
                .Select(static (model, _) => model!)
                .WithTrackingName(TrackingNames.Models);

            context.RegisterSourceOutput(models, static (output, model) => output.AddSource(model.HintName, MessageEmitter.Emit(model)));
        }
    }
}
