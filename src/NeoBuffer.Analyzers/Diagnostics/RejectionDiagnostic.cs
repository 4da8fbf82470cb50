using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using NeoBuffer.Classification;

namespace NeoBuffer.Analyzers.Diagnostics
{
    /// <summary>
    /// Turns one of the classifier's rejections into the diagnostic the user sees: which id, where, what to name, what
    /// to use instead, and which code fix applies.
    /// </summary>
    internal static class RejectionDiagnostic
    {
        /// <summary>The diagnostic for <paramref name="rejection"/> of <paramref name="message"/>; null when the compiler reports it already.</summary>
        public static Diagnostic? Create(Rejection rejection, INamedTypeSymbol message, CancellationToken cancellationToken)
        {
            DiagnosticDescriptor? descriptor = Descriptor(rejection.Reason);
            if (descriptor is null)
            {
                return null;
            }

            RejectionSite site = RejectionSite.Find(message, rejection.FieldPath);
            FieldTypeReplacement? replacement = Replacement(rejection, site, message, cancellationToken);
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            if (replacement is not null)
            {
                properties[FixProperties.ReplacementType] = replacement.Source;
                properties[FixProperties.ReplacementDisplay] = replacement.Display;
            }

            if (CanAddPartial(rejection, message))
            {
                properties[FixProperties.AddPartial] = "";
            }

            string subject = Subject(rejection, message);
            object?[] arguments = rejection.Reason == RejectionReason.ContainingTypeNotPartial
                ? new object?[] { subject, rejection.TypeDisplay }
                : new object?[] { subject, Advice(rejection, replacement) };
            return Diagnostic.Create(descriptor, site.Location, properties.ToImmutable(), arguments);
        }

        private static DiagnosticDescriptor? Descriptor(RejectionReason reason) => reason switch
        {
            RejectionReason.NotPartialStruct => DiagnosticDescriptors.NotPartialStruct,
            RejectionReason.ReferenceType => DiagnosticDescriptors.ReferenceType,
            RejectionReason.Pointer => DiagnosticDescriptors.Pointer,
            RejectionReason.NativeSizedInteger => DiagnosticDescriptors.NativeSizedInteger,
            RejectionReason.AutoLayout => DiagnosticDescriptors.AutoLayout,
            RejectionReason.UntrustedExternalStruct => DiagnosticDescriptors.UntrustedExternalStruct,
            RejectionReason.Generic => DiagnosticDescriptors.Generic,
            RejectionReason.ContainingTypeNotPartial => DiagnosticDescriptors.ContainingTypeNotPartial,
            RejectionReason.RefLike => DiagnosticDescriptors.RefLike,
            RejectionReason.ExplicitLayout => DiagnosticDescriptors.ExplicitLayout,
            RejectionReason.VarFieldInNestedStruct => DiagnosticDescriptors.VarFieldInNestedStruct,
            RejectionReason.NotAChannelMessage => DiagnosticDescriptors.NotAChannelMessage,
            RejectionReason.HiddenField => DiagnosticDescriptors.HiddenField,
            RejectionReason.PackOrSizeOverride => DiagnosticDescriptors.PackOrSizeOverride,
            RejectionReason.ReservedName => DiagnosticDescriptors.ReservedName,
            RejectionReason.SinceWithoutVersion => DiagnosticDescriptors.SinceWithoutVersion,
            RejectionReason.VersionOutOfRange => DiagnosticDescriptors.VersionOutOfRange,
            RejectionReason.SinceOutOfOrder => DiagnosticDescriptors.SinceOutOfOrder,
            RejectionReason.VersionedNested => DiagnosticDescriptors.VersionedNested,
            // An unresolved type is the compiler's error already; a second one would only add noise.
            _ => null,
        };

        // "Demo.M" for the type itself, "M.Inner.Name: string" for a field (its path from the message, and its type).
        private static string Subject(Rejection rejection, INamedTypeSymbol message)
        {
            if (rejection.FieldPath.Length == 0)
            {
                return message.ToDisplayString();
            }

            string field = message.Name + "." + rejection.FieldPath;
            return rejection.Reason is RejectionReason.ReservedName or RejectionReason.ContainingTypeNotPartial
                or RejectionReason.SinceWithoutVersion or RejectionReason.VersionOutOfRange or RejectionReason.SinceOutOfOrder
                ? field
                : field + ": " + rejection.TypeDisplay;
        }

        // Only a field whose own declared type is at fault gets a new type: a fault deep inside a nested struct is fixed there.
        private static FieldTypeReplacement? Replacement(Rejection rejection, RejectionSite site, INamedTypeSymbol message, CancellationToken cancellationToken) =>
            rejection.Reason is RejectionReason.ReferenceType or RejectionReason.NativeSizedInteger or RejectionReason.AutoLayout &&
            RejectionSite.IsTopLevel(rejection.FieldPath) &&
            site.Member is IFieldSymbol { IsFixedSizeBuffer: false } field
                ? FieldTypeReplacement.For(field.Type, message.ContainingAssembly, cancellationToken)
                : null;

        private static bool CanAddPartial(Rejection rejection, INamedTypeSymbol message) =>
            rejection.FieldPath.Length == 0 &&
            (rejection.Reason == RejectionReason.ContainingTypeNotPartial ||
             (rejection.Reason == RejectionReason.NotPartialStruct && message.TypeKind == TypeKind.Struct));

        private static string Advice(Rejection rejection, FieldTypeReplacement? replacement)
        {
            if (replacement is not null)
            {
                return $"use {replacement.Display} instead";
            }

            bool type = rejection.FieldPath.Length == 0;
            bool nested = !type && !RejectionSite.IsTopLevel(rejection.FieldPath);
            return rejection.Reason switch
            {
                RejectionReason.NotPartialStruct => type ? "declare it a partial struct" : $"declare '{rejection.TypeDisplay}' a partial struct",
                RejectionReason.ReferenceType when nested =>
                    "store the data itself in fixed fields, or move it to the top-level message as a VarUtf8, VarBytes or VarArray<T> field",
                RejectionReason.ReferenceType =>
                    "store the data itself: text as VarUtf8, bytes as VarBytes, arrays as VarArray<T>, objects as [ChannelMessage] structs",
                RejectionReason.Pointer => "store the data it points to, or an offset or index as a long",
                RejectionReason.NativeSizedInteger => "use long or ulong",
                RejectionReason.AutoLayout when type => "remove [StructLayout(LayoutKind.Auto)]",
                RejectionReason.AutoLayout =>
                    "use fixed fields instead: a DateTime as long ticks, a nullable value as the value and a bool, a tuple as a [ChannelMessage] struct (and no LayoutKind.Auto on a nested message)",
                RejectionReason.UntrustedExternalStruct => "copy its fields into a [ChannelMessage] struct of this assembly",
                RejectionReason.Generic => "declare a non-generic message for each type argument you need",
                RejectionReason.RefLike when type => "declare it a plain (not ref) partial struct",
                RejectionReason.RefLike => "store the data itself, as a VarBytes or VarArray<T> in place of a span",
                RejectionReason.ExplicitLayout => "remove [StructLayout(LayoutKind.Explicit)] and [FieldOffset], and give each value a field of its own",
                RejectionReason.VarFieldInNestedStruct => "move it to the top-level message, or use a fixed buffer or an inline array in its place",
                RejectionReason.NotAChannelMessage => $"mark '{rejection.TypeDisplay}' [ChannelMessage] and partial",
                RejectionReason.HiddenField => "declare a field instead",
                RejectionReason.PackOrSizeOverride => "remove Pack and Size (order the fields from largest to smallest to avoid padding)",
                RejectionReason.SinceWithoutVersion => "declare the message [ChannelMessage(Version = n)], or remove [Since] if it has never shipped",
                RejectionReason.VersionOutOfRange => type ? "use a Version from 1 to 65535" : "use [Since(n)] with n from 2 up to the message's Version, or raise the Version",
                RejectionReason.SinceOutOfOrder => "move the field after every field of an earlier version, or give it the latest [Since(n)]",
                RejectionReason.VersionedNested => "copy its fields into the containing message, or remove its Version",
                _ => "",
            };
        }
    }
}
