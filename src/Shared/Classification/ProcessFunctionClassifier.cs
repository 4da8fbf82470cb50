using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace NeoBuffer.Classification
{
    /// <summary>
    /// Decides whether a <c>[ProcessFunction]</c> method can run in a child process and how each argument and the result
    /// cross. The generator and the analyzers both call this; a <c>[ChannelMessage]</c> argument is judged by
    /// <see cref="MessageClassifier"/>, the same code that judges the message itself.
    /// </summary>
    internal static class ProcessFunctionClassifier
    {
        public const string AttributeName = "NeoBuffer.ProcessFunctionAttribute";

        /// <summary>The suffix of the class generated for a function: <c>Add</c> gets <c>AddProcess</c>.</summary>
        public const string ClassSuffix = "Process";

        /// <summary>How the generator's files end, so the analyzers can tell its class from a user's.</summary>
        public const string HintSuffix = ".process.g.cs";

        private static readonly SymbolDisplayFormat s_fullName =
            SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

        /// <summary>Fully qualified, with <c>global::</c> and nullable annotations: how generated code names a type.</summary>
        public static readonly SymbolDisplayFormat CodeFormat =
            SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        public static ProcessFunctionClassification Classify(IMethodSymbol method, CancellationToken cancellationToken = default)
        {
            var rejections = new List<ProcessRejection>();
            string methodSubject = $"'{method.Name}'";
            if (method.MethodKind is MethodKind.LambdaMethod or MethodKind.AnonymousFunction or MethodKind.LocalFunction)
            {
                rejections.Add(new ProcessRejection(ProcessRejectionReason.LambdaOrLocalFunction, ProcessRejection.MethodIndex,
                    method.MethodKind == MethodKind.LocalFunction ? methodSubject : "this lambda",
                    "make it a static method of a partial class and pass what it used as arguments"));
                return Result(rejections);
            }

            if (!method.IsStatic)
            {
                rejections.Add(new ProcessRejection(ProcessRejectionReason.NotStatic, ProcessRejection.MethodIndex, methodSubject,
                    "make it static and pass the state it needs as arguments"));
            }

            if (method.IsGenericMethod || Containing(method).Any(t => t.IsGenericType))
            {
                rejections.Add(new ProcessRejection(ProcessRejectionReason.Generic, ProcessRejection.MethodIndex, methodSubject,
                    "write one non-generic function per type argument"));
            }

            foreach (INamedTypeSymbol type in Containing(method).Where(t => !IsPartial(t)))
            {
                rejections.Add(new ProcessRejection(ProcessRejectionReason.ContainingTypeNotPartial, ProcessRejection.MethodIndex,
                    $"'{type.Name}'", $"declare it 'partial' so the generator can add '{method.Name}{ClassSuffix}' to it"));
            }

            if (method.ContainingType is { } container && NameTaken(method, container))
            {
                rejections.Add(new ProcessRejection(ProcessRejectionReason.NameTaken, ProcessRejection.MethodIndex, methodSubject,
                    $"give each process function of '{container.Name}' its own name, and no other member the name '{method.Name}{ClassSuffix}'"));
            }

            var parameters = new List<ProcessArgument>();
            for (int i = 0; i < method.Parameters.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                IParameterSymbol parameter = method.Parameters[i];
                string subject = $"'{parameter.Name}: {parameter.Type.ToDisplayString()}'";
                if (parameter.RefKind != RefKind.None || parameter.IsParams)
                {
                    rejections.Add(new ProcessRejection(ProcessRejectionReason.ByRefParameter, i, subject,
                        "pass it by value and return what the caller needs"));
                    continue;
                }

                if (Argument(parameter.Name, parameter.Type, isResult: false, i, subject, rejections, cancellationToken) is { } argument)
                {
                    parameters.Add(argument);
                }
            }

            ITypeSymbol returned = method.ReturnType;
            bool isAsync = false;
            if (returned is INamedTypeSymbol { } task && IsTask(task))
            {
                isAsync = true;
                returned = task.TypeArguments.Length == 1 ? task.TypeArguments[0] : method.ReturnType;
            }

            ProcessArgument? result = null;
            if (!(returned.SpecialType == SpecialType.System_Void || (isAsync && ReferenceEquals(returned, method.ReturnType))))
            {
                result = Argument("", returned, isResult: true, ProcessRejection.ReturnIndex, $"'{returned.ToDisplayString()}'", rejections, cancellationToken);
            }

            return new ProcessFunctionClassification(parameters.ToEquatableArray(), result, isAsync, rejections.ToEquatableArray());
        }

        private static ProcessFunctionClassification Result(List<ProcessRejection> rejections) =>
            new(EquatableArray<ProcessArgument>.Empty, null, false, rejections.ToEquatableArray());

        private static ProcessArgument? Argument(string name, ITypeSymbol type, bool isResult, int index, string subject, List<ProcessRejection> rejections, CancellationToken cancellationToken)
        {
            string code = type.ToDisplayString(CodeFormat);
            string full = type.OriginalDefinition.ToDisplayString(s_fullName);
            ImmutableArray<ITypeSymbol> typeArguments = type is INamedTypeSymbol named0 ? named0.TypeArguments : ImmutableArray<ITypeSymbol>.Empty;
            ITypeSymbol? element = typeArguments.Length >= 1 ? typeArguments[0] : null;
            string elementCode = element?.ToDisplayString(CodeFormat) ?? "";
            string secondCode = typeArguments.Length == 2 ? typeArguments[1].ToDisplayString(CodeFormat) : "";
            ProcessArgumentKind? endpoint = full switch
            {
                "NeoBuffer.SharedChannelReader" => ProcessArgumentKind.ChannelReader,
                "NeoBuffer.SharedChannelWriter" => ProcessArgumentKind.ChannelWriter,
                "NeoBuffer.SharedChannelReader<T>" => ProcessArgumentKind.TypedChannelReader,
                "NeoBuffer.SharedChannelWriter<T>" => ProcessArgumentKind.TypedChannelWriter,
                "Microsoft.Win32.SafeHandles.SafeFileHandle" => ProcessArgumentKind.File,
                "NeoBuffer.SharedDuplexChannel" => ProcessArgumentKind.Duplex,
                "NeoBuffer.SharedDuplexChannel<TWrite, TRead>" => ProcessArgumentKind.TypedDuplex,
                _ => null,
            };
            if (endpoint is { } kind)
            {
                if (isResult)
                {
                    Reject(ProcessRejectionReason.ReturnType, "a channel endpoint, duplex channel or file handle belongs to the process that opened it",
                        "pass the endpoint or file to the function as an argument instead");
                    return null;
                }

                return new ProcessArgument(name, kind, code, elementCode, secondCode, false);
            }

            if (type.SpecialType == SpecialType.System_String)
            {
                return new ProcessArgument(name, ProcessArgumentKind.String, code, "", "", type.NullableAnnotation == NullableAnnotation.Annotated);
            }

            if (full == "NeoBuffer.OwnedMessage<T>" && element is not null)
            {
                return element is INamedTypeSymbol message && !MessageClassifier.Classify(message, cancellationToken).IsValid
                    ? RejectInvalidMessage(message)
                    : new ProcessArgument(name, ProcessArgumentKind.Message, code, elementCode, "", false);
            }

            switch (type)
            {
                case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                    Reject(ParameterOrReturn(), "it is an address, which means nothing in another process", "pass the data it points at, as a value, string or message");
                    return null;
                case { SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr }:
                    Reject(ParameterOrReturn(), "it is native-sized and usually holds an address or handle valid only in this process", "use 'long' (or 'SafeFileHandle' for a file)");
                    return null;
                case INamedTypeSymbol named when MessageClassifier.IsChannelMessage(named):
                    MessageClassification classification = MessageClassifier.Classify(named, cancellationToken);
                    if (!classification.IsValid)
                    {
                        return RejectInvalidMessage(named);
                    }

                    if (classification.HasVariableFields)
                    {
                        rejections.Add(new ProcessRejection(ProcessRejectionReason.MessageByValue, index, subject,
                            $"use 'NeoBuffer.OwnedMessage<{named.ToDisplayString()}>', which carries the record's variable-length tail with it"));
                        return null;
                    }

                    return new ProcessArgument(name, ProcessArgumentKind.Value, code, "", "", false);
                case { IsUnmanagedType: true }:
                    return new ProcessArgument(name, ProcessArgumentKind.Value, code, "", "", false);
                default:
                    Reject(ParameterOrReturn(), Why(type), Advice(type));
                    return null;
            }

            ProcessRejectionReason ParameterOrReturn() => isResult ? ProcessRejectionReason.ReturnType : ProcessRejectionReason.ParameterType;

            void Reject(ProcessRejectionReason reason, string why, string advice) =>
                rejections.Add(new ProcessRejection(reason, index, subject, why + "; " + advice));

            ProcessArgument? RejectInvalidMessage(INamedTypeSymbol message)
            {
                rejections.Add(new ProcessRejection(ProcessRejectionReason.InvalidMessage, index, subject,
                    $"fix the errors reported on '{message.ToDisplayString()}' first"));
                return null;
            }
        }

        private static string Why(ITypeSymbol type) => type switch
        {
            { TypeKind: TypeKind.Delegate } => "it is code bound to objects in this process",
            { TypeKind: TypeKind.Array } => "an array is a reference into this process's heap",
            { IsReferenceType: true } => "it is a reference into this process's heap",
            { IsRefLikeType: true } => "it is a ref struct, which may point into this process's memory",
            _ => "it holds references into this process's heap",
        };

        private static string Advice(ITypeSymbol type)
        {
            ITypeSymbol? element = type switch
            {
                IArrayTypeSymbol array => array.ElementType,
                INamedTypeSymbol { TypeArguments.Length: 1 } generic when IsCollection(generic) => generic.TypeArguments[0],
                _ => null,
            };
            if (element?.SpecialType == SpecialType.System_Byte)
            {
                return "put the bytes in a [ChannelMessage] with a 'VarBytes' field and pass an 'OwnedMessage<M>'";
            }

            if (element is { IsUnmanagedType: true })
            {
                return $"put the items in a [ChannelMessage] with a 'VarArray<{element.ToDisplayString()}>' field and pass an 'OwnedMessage<M>'";
            }

            return type.TypeKind == TypeKind.Delegate
                ? "make the code a process function of its own, or pass the data it works on"
                : "pass unmanaged values, strings, [ChannelMessage] structs (as 'OwnedMessage<M>' with variable-length fields), channel endpoints, duplex channels or a 'SafeFileHandle'";
        }

        private static bool IsCollection(INamedTypeSymbol type) =>
            type.OriginalDefinition.SpecialType is SpecialType.System_Collections_Generic_IEnumerable_T or SpecialType.System_Collections_Generic_IList_T
                or SpecialType.System_Collections_Generic_ICollection_T or SpecialType.System_Collections_Generic_IReadOnlyList_T
                or SpecialType.System_Collections_Generic_IReadOnlyCollection_T
            || type.OriginalDefinition.ToDisplayString(s_fullName) is "System.Collections.Generic.List<T>" or "System.Collections.Generic.HashSet<T>";

        private static bool IsTask(INamedTypeSymbol type) =>
            type.OriginalDefinition.ToDisplayString(s_fullName) is "System.Threading.Tasks.Task" or "System.Threading.Tasks.Task<TResult>"
                or "System.Threading.Tasks.ValueTask" or "System.Threading.Tasks.ValueTask<TResult>";

        /// <summary>The types containing <paramref name="symbol"/>, innermost first.</summary>
        public static IEnumerable<INamedTypeSymbol> Containing(ISymbol symbol)
        {
            for (INamedTypeSymbol? type = symbol.ContainingType; type is not null; type = type.ContainingType)
            {
                yield return type;
            }
        }

        private static bool IsPartial(INamedTypeSymbol type) =>
            type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax declaration && declaration.Modifiers.Any(SyntaxKind.PartialKeyword));

        private static bool NameTaken(IMethodSymbol method, INamedTypeSymbol container) =>
            container.GetMembers(method.Name).OfType<IMethodSymbol>().Count(m => m.GetAttributes().Any(IsProcessFunction)) > 1
            || container.GetMembers(method.Name + ClassSuffix).Any(m => !m.IsImplicitlyDeclared && !IsGenerated(m));

        private static bool IsGenerated(ISymbol member) =>
            member.DeclaringSyntaxReferences.Length > 0 && member.DeclaringSyntaxReferences.All(r => r.SyntaxTree.FilePath.EndsWith(HintSuffix, System.StringComparison.Ordinal));

        private static bool IsProcessFunction(AttributeData attribute) =>
            attribute.AttributeClass?.ToDisplayString(s_fullName) == AttributeName;
    }
}
