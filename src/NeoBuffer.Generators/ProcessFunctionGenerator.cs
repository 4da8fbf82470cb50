using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NeoBuffer.Classification;
using NeoBuffer.Generators.Processes;

namespace NeoBuffer.Generators
{
    /// <summary>
    /// Generates, for every valid <c>[ProcessFunction]</c> method, the class that runs it in a child process, and for
    /// the compilation one table the child dispatches through. A method the classifier rejects gets nothing, and no
    /// diagnostic: the analyzers say why.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class ProcessFunctionGenerator : IIncrementalGenerator
    {
        /// <inheritdoc/>
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            IncrementalValuesProvider<ProcessFunctionModel> functions = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    ProcessFunctionClassifier.AttributeName,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (target, cancellationToken) => ProcessFunctionModelFactory.Create((IMethodSymbol)target.TargetSymbol, cancellationToken))
                .Where(static model => model is not null)
                .Select(static (model, _) => model!)
                .WithTrackingName(TrackingNames.ProcessFunctions);

            context.RegisterSourceOutput(functions, static (output, model) => output.AddSource(model.HintName, ProcessFunctionEmitter.Emit(model)));

            IncrementalValueProvider<EquatableArray<ProcessFunctionModel>> table = functions
                .Collect()
                .Select(static (models, _) => models.ToEquatableArray())
                .WithTrackingName(TrackingNames.ProcessFunctionTable);

            context.RegisterSourceOutput(table, static (output, models) =>
            {
                if (!models.IsEmpty)
                {
                    output.AddSource("NeoBuffer.ProcessFunctionTable" + ProcessFunctionClassifier.HintSuffix, ProcessFunctionEmitter.EmitTable(models));
                }
            });
        }
    }
}
