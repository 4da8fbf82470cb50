using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using NeoBuffer.Classification;

namespace NeoBuffer.Analyzers.Diagnostics
{
    /// <summary>
    /// The diagnostics of <c>[ProcessFunction]</c> methods, NB0120 up: one per <see cref="ProcessRejectionReason"/>. Each
    /// message is "subject why; what to do instead", the subject naming the parameter and its type, the return type, or
    /// the method.
    /// </summary>
    internal static class ProcessFunctionDescriptors
    {
        public static readonly DiagnosticDescriptor NotStatic = Create("NB0120",
            "A process function must be static",
            "{0} is an instance method: the child has no instance to call it on; {1}",
            "A process function runs in another process, where no object of this one exists.");

        public static readonly DiagnosticDescriptor Generic = Create("NB0121",
            "A process function cannot be generic",
            "{0} is generic: the child must know the exact types to decode the arguments; {1}",
            "The generator encodes each argument by its declared type, which must be known at compile time.");

        public static readonly DiagnosticDescriptor LambdaOrLocalFunction = Create("NB0122",
            "A lambda or local function cannot be a process function",
            "{0} cannot be a process function: what it captures lives in this process, and nothing captured can cross; {1}",
            "Only a static method the child can call by name can run there; captured variables would stay behind.");

        public static readonly DiagnosticDescriptor ByRefParameter = Create("NB0123",
            "A process function's parameter must be passed by value",
            "Parameter {0} is passed by reference (or is 'params'): the child cannot write back into this process's variables; {1}",
            "ref, out and in parameters refer to this process's memory.");

        public static readonly DiagnosticDescriptor ParameterType = Create("NB0124",
            "A process function's parameter type cannot cross a process boundary",
            "Parameter {0} cannot cross to the child: {1}",
            "Arguments may be unmanaged values, [ChannelMessage] structs (OwnedMessage<M> with variable-length fields), strings, channel endpoints or SafeFileHandle.");

        public static readonly DiagnosticDescriptor ReturnType = Create("NB0125",
            "A process function's result type cannot cross a process boundary",
            "The result {0} cannot cross back from the child: {1}",
            "Results may be unmanaged values, [ChannelMessage] structs (OwnedMessage<M> with variable-length fields) or strings, or a Task of one.");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Create("NB0126",
            "The types containing a process function must be partial",
            "{0} is not partial; {1}",
            "The generator adds the NameProcess class beside the function, inside its type.");

        public static readonly DiagnosticDescriptor MessageByValue = Create("NB0127",
            "A message with variable-length fields must be passed as OwnedMessage<M>",
            "{0} has variable-length fields, whose bytes live after the struct and would stay behind; {1}",
            "A [ChannelMessage] struct holds only descriptors of its variable-length fields; OwnedMessage<M> holds the whole record.");

        public static readonly DiagnosticDescriptor InvalidMessage = Create("NB0128",
            "A process function's message argument is not a valid channel message",
            "{0} is a [ChannelMessage] that cannot cross a process boundary; {1}",
            "The message's own diagnostics (NB0001 up) say why.");

        public static readonly DiagnosticDescriptor NameTaken = Create("NB0129",
            "A process function's name must be unique in its type",
            "{0} shares its name with another process function, or its generated class's name with a member; {1}",
            "The generator names the class it adds after the method, and the child finds the function by its name.");

        public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
            NotStatic, Generic, LambdaOrLocalFunction, ByRefParameter, ParameterType, ReturnType, ContainingTypeNotPartial, MessageByValue, InvalidMessage, NameTaken);

        public static DiagnosticDescriptor For(ProcessRejectionReason reason) => reason switch
        {
            ProcessRejectionReason.NotStatic => NotStatic,
            ProcessRejectionReason.Generic => Generic,
            ProcessRejectionReason.LambdaOrLocalFunction => LambdaOrLocalFunction,
            ProcessRejectionReason.ByRefParameter => ByRefParameter,
            ProcessRejectionReason.ParameterType => ParameterType,
            ProcessRejectionReason.ReturnType => ReturnType,
            ProcessRejectionReason.ContainingTypeNotPartial => ContainingTypeNotPartial,
            ProcessRejectionReason.MessageByValue => MessageByValue,
            ProcessRejectionReason.InvalidMessage => InvalidMessage,
            _ => NameTaken,
        };

        private static DiagnosticDescriptor Create(string id, string title, string message, string description) =>
            new(id, title, message, DiagnosticDescriptors.Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
                description: description, helpLinkUri: DiagnosticDescriptors.HelpBase + "#" + id.ToLowerInvariant());
    }
}
