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
    /// Decides, for a <c>[ChannelMessage]</c> type, what each field is, where it lies, and whether it may cross a process
    /// boundary. The generator and the analyzers both call this, so what one generates the other never rejects.
    /// </summary>
    internal static class MessageClassifier
    {
        public const string AttributeName = "NeoBuffer.ChannelMessageAttribute";

        public const string SinceAttributeName = "NeoBuffer.SinceAttribute";

        /// <summary>The highest version a message may declare (the schema text's limit).</summary>
        public const int MaxVersion = 65535;

        /// <summary>
        /// Names the generated code gives members of the message, its <c>View</c> or its <c>Builder</c>: a field of
        /// that name would collide with them.
        /// </summary>
        public static readonly ImmutableHashSet<string> ReservedNames = ImmutableHashSet.Create(
            "Layout", "View", "Builder", "Record", "Commit", "Abort", "Dispose", "Claim", "TryClaim", "LengthFor");

        // Nested messages are value types, so C# forbids cycles; this only bounds the walk over broken code.
        private const int MaxDepth = 32;

        private static readonly SymbolDisplayFormat s_fullName =
            SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

        /// <summary>Classifies <paramref name="type"/>, which carries (or should carry) <c>[ChannelMessage]</c>.</summary>
        public static MessageClassification Classify(INamedTypeSymbol type, CancellationToken cancellationToken = default)
        {
            var walk = new Walk(type.ContainingAssembly, cancellationToken);
            return walk.Message(type, path: "", depth: 0);
        }

        /// <summary>
        /// Whether <paramref name="type"/> may be an element of a <c>VarArray&lt;T&gt;</c> in a message of
        /// <paramref name="home"/>: the same test a field of that type would pass.
        /// </summary>
        public static bool IsAllowedElement(ITypeSymbol type, IAssemblySymbol home, CancellationToken cancellationToken = default)
        {
            var walk = new Walk(home, cancellationToken);
            return walk.Element(type);
        }

        /// <summary>Whether <paramref name="type"/> carries <c>[ChannelMessage]</c>.</summary>
        public static bool IsChannelMessage(ITypeSymbol type) => FindAttribute(type, AttributeName) is not null;

        private static AttributeData? FindAttribute(ISymbol symbol, string fullName) =>
            symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass is { } c && c.ToDisplayString(s_fullName) == fullName);

        private sealed class Walk(IAssemblySymbol home, CancellationToken cancellationToken)
        {
            private readonly List<Rejection> _rejections = new();

            public MessageClassification Message(INamedTypeSymbol type, string path, int depth)
            {
                cancellationToken.ThrowIfCancellationRequested();
                CheckType(type, path);
                var layout = new SequentialLayout();
                var fields = new List<ClassifiedField>();
                var names = new HashSet<string>();
                foreach (IFieldSymbol field in type.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic))
                {
                    string name = SourceName(field);
                    names.Add(name);
                    ClassifiedField? classified = Field(field, Join(path, name), depth);
                    if (classified is not null)
                    {
                        fields.Add(classified with { Offset = layout.Add(classified.Size, classified.Alignment) });
                    }
                }

                int version = Version(type);
                CheckVersions(fields, version, path, type);
                if (depth == 0)
                {
                    CheckNames(fields, names, type);
                }

                return new MessageClassification(SchemaName(type), layout.Size, layout.Alignment, fields.ToEquatableArray(), _rejections.ToEquatableArray(), version);
            }

            public bool Element(ITypeSymbol type) => Fixed(type, "[]", depth: 1) is not null && _rejections.Count == 0;

            private void CheckType(INamedTypeSymbol type, string path)
            {
                if (type.TypeKind != TypeKind.Struct || !IsPartial(type))
                {
                    Reject(RejectionReason.NotPartialStruct, path, type);
                }

                if (type.IsRefLikeType)
                {
                    Reject(RejectionReason.RefLike, path, type);
                }

                if (type.IsGenericType || Containing(type).Any(c => c.IsGenericType))
                {
                    Reject(RejectionReason.Generic, path, type);
                }

                // One rejection per containing type that lacks the keyword, naming that type: it is the one to fix.
                foreach (INamedTypeSymbol outer in Containing(type).Where(c => !IsPartial(c)))
                {
                    Reject(RejectionReason.ContainingTypeNotPartial, path, outer);
                }

                CheckStructLayout(type, path);
            }

            private void CheckStructLayout(INamedTypeSymbol type, string path)
            {
                AttributeData? layout = FindAttribute(type, "System.Runtime.InteropServices.StructLayoutAttribute");
                if (layout is null)
                {
                    return;
                }

                // LayoutKind: Sequential = 0, Explicit = 2, Auto = 3.
                object? kind = layout.ConstructorArguments.FirstOrDefault().Value;
                if (kind is 2 or (short)2)
                {
                    Reject(RejectionReason.ExplicitLayout, path, type);
                }
                else if (kind is 3 or (short)3)
                {
                    Reject(RejectionReason.AutoLayout, path, type);
                }

                if (layout.NamedArguments.Any(a => a.Key is "Pack" or "Size" && a.Value.Value is int value && value != 0))
                {
                    Reject(RejectionReason.PackOrSizeOverride, path, type);
                }
            }

            private void CheckNames(List<ClassifiedField> fields, HashSet<string> names, INamedTypeSymbol type)
            {
                foreach (string name in names.Where(n => ReservedNames.Contains(n) || n.StartsWith("__")))
                {
                    Reject(RejectionReason.ReservedName, name, type);
                }

                // The View shows a field X added in a later version with HasX beside it.
                foreach (ClassifiedField later in fields.Where(f => f.Since > 1 && names.Contains("Has" + f.Name)))
                {
                    Reject(RejectionReason.ReservedName, "Has" + later.Name, type);
                }

                // The View shows a text field X as a string X and as UTF-8 bytes XUtf8.
                foreach (ClassifiedField text in fields.Where(f => f.Kind == FieldKind.VarUtf8 && names.Contains(f.Name + "Utf8")))
                {
                    Reject(RejectionReason.ReservedName, text.Name + "Utf8", type);
                }
            }

            // Each version's fields must be a prefix of the next one's, and only records of a versioned message say which
            // version wrote them.
            private void CheckVersions(List<ClassifiedField> fields, int version, string path, INamedTypeSymbol type)
            {
                if (version < 0 || version > MaxVersion)
                {
                    Reject(RejectionReason.VersionOutOfRange, path, type);
                }

                int latest = 1;
                foreach (ClassifiedField field in fields)
                {
                    int since = field.Since == 0 ? 1 : field.Since;
                    if (field.Since != 0 && version == 0)
                    {
                        Reject(RejectionReason.SinceWithoutVersion, Join(path, field.Name), type);
                    }
                    else if (field.Since != 0 && (since < 1 || since > version))
                    {
                        Reject(RejectionReason.VersionOutOfRange, Join(path, field.Name), type);
                    }
                    else if (since < latest)
                    {
                        Reject(RejectionReason.SinceOutOfOrder, Join(path, field.Name), type);
                    }

                    latest = since > latest ? since : latest;
                }
            }

            private ClassifiedField? Field(IFieldSymbol field, string path, int depth)
            {
                if (field.IsImplicitlyDeclared)
                {
                    return Reject(RejectionReason.HiddenField, path, field.Type);
                }

                if (FindAttribute(field, "System.Runtime.InteropServices.FieldOffsetAttribute") is not null)
                {
                    return Reject(RejectionReason.ExplicitLayout, path, field.Type);
                }

                if (field.RefKind != RefKind.None)
                {
                    return Reject(RejectionReason.RefLike, path, field.Type);
                }

                if (field.IsFixedSizeBuffer && field.Type is IPointerTypeSymbol buffer)
                {
                    ClassifiedField? element = Fixed(buffer.PointedAtType, path + "[]", depth + 1);
                    return element is null ? null : ArrayOf(field.Name, element, field.FixedSize, isFixedBuffer: true);
                }

                ClassifiedField? classified = VarKind(field.Type) is FieldKind kind
                    ? Variable(field.Type, kind, path, depth)
                    : Fixed(field.Type, path, depth);
                return classified is null ? null : classified with { Name = field.Name, Since = Since(field), IsObsolete = FindAttribute(field, "System.ObsoleteAttribute") is not null };
            }

            private ClassifiedField? Variable(ITypeSymbol type, FieldKind kind, string path, int depth)
            {
                if (depth > 0)
                {
                    return Reject(RejectionReason.VarFieldInNestedStruct, path, type);
                }

                string typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                if (kind == FieldKind.VarArray)
                {
                    ClassifiedField? element = Fixed(((INamedTypeSymbol)type).TypeArguments[0], path + "[]", depth + 1);
                    return element is null ? null : new ClassifiedField(
                        "", FieldKind.VarArray, typeName, element.TypeName, element.CanonicalType + "[]", 0, 8, 4,
                        element.Size, element.Alignment, 0, false, element.Members);
                }

                return new ClassifiedField("", kind, typeName, "byte", "uint8[]", 0, 8, 4, 1, 1, 0, false, EquatableArray<ClassifiedField>.Empty);
            }

            // Anything that may sit in the fixed block: a scalar, enum, nested message or inline array of those.
            private ClassifiedField? Fixed(ITypeSymbol type, string path, int depth)
            {
                if (depth > MaxDepth || type.TypeKind == TypeKind.Error)
                {
                    return Reject(RejectionReason.Unresolved, path, type);
                }

                switch (type)
                {
                    case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                        return Reject(RejectionReason.Pointer, path, type);
                    case ITypeParameterSymbol:
                        return Reject(RejectionReason.Generic, path, type);
                    case { IsReferenceType: true }:
                        return Reject(RejectionReason.ReferenceType, path, type);
                    case { SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr }:
                        return Reject(RejectionReason.NativeSizedInteger, path, type);
                }

                string typeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                if (ScalarTypes.TryGet(type, out string canonical, out int size, out int alignment))
                {
                    return Single(FieldKind.Scalar, typeName, canonical, size, alignment, EquatableArray<ClassifiedField>.Empty);
                }

                if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying } &&
                    ScalarTypes.TryGet(underlying, out canonical, out size, out alignment))
                {
                    return Single(FieldKind.Enum, typeName, type.ToDisplayString(s_fullName) + ":" + canonical, size, alignment, EquatableArray<ClassifiedField>.Empty);
                }

                if (type.IsRefLikeType)
                {
                    return Reject(RejectionReason.RefLike, path, type);
                }

                if (VarKind(type) is not null)
                {
                    return Reject(RejectionReason.VarFieldInNestedStruct, path, type);
                }

                if (type is not INamedTypeSymbol { TypeKind: TypeKind.Struct } named)
                {
                    return Reject(RejectionReason.Unresolved, path, type);
                }

                if (IsBclAutoLayout(named))
                {
                    return Reject(RejectionReason.AutoLayout, path, type);
                }

                if (IsChannelMessage(named))
                {
                    if (Version(named) != 0)
                    {
                        return Reject(RejectionReason.VersionedNested, path, type);
                    }

                    MessageClassification nested = Message(named, path, depth + 1);
                    return Single(FieldKind.Struct, typeName, nested.SchemaName, nested.FixedSize, nested.Alignment, nested.Fields);
                }

                if (!SymbolEqualityComparer.Default.Equals(named.ContainingAssembly, home))
                {
                    return Reject(RejectionReason.UntrustedExternalStruct, path, type);
                }

                if (FindAttribute(named, "System.Runtime.CompilerServices.InlineArrayAttribute") is { } inline &&
                    inline.ConstructorArguments.FirstOrDefault().Value is int length)
                {
                    return InlineArray(named, length, path, depth);
                }

                return Reject(RejectionReason.NotAChannelMessage, path, type);
            }

            private ClassifiedField? InlineArray(INamedTypeSymbol type, int length, string path, int depth)
            {
                CheckStructLayout(type, path);
                IFieldSymbol? slot = type.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => !f.IsStatic);
                if (slot is null)
                {
                    return Reject(RejectionReason.Unresolved, path, type);
                }

                ClassifiedField? element = Fixed(slot.Type, path + "[]", depth + 1);
                return element is null ? null : ArrayOf("", element, length, isFixedBuffer: false) with { TypeName = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) };
            }

            private static ClassifiedField ArrayOf(string name, ClassifiedField element, int count, bool isFixedBuffer) =>
                new(name, FieldKind.FixedArray, element.TypeName, element.TypeName, $"{element.CanonicalType}[{count}]", 0,
                    element.Size * count, element.Alignment, element.Size, element.Alignment, count, isFixedBuffer, element.Members);

            private static ClassifiedField Single(FieldKind shape, string typeName, string canonical, int size, int alignment, EquatableArray<ClassifiedField> members) =>
                new("", shape, typeName, typeName, canonical, 0, size, alignment, size, alignment, 1, false, members);

            private ClassifiedField? Reject(RejectionReason reason, string path, ITypeSymbol type)
            {
                _rejections.Add(new Rejection(reason, path, type.ToDisplayString()));
                return null;
            }

            private static int Version(INamedTypeSymbol type) =>
                FindAttribute(type, AttributeName)?.NamedArguments.FirstOrDefault(a => a.Key == "Version").Value.Value as int? ?? 0;

            private static int Since(IFieldSymbol field) =>
                FindAttribute(field, SinceAttributeName)?.ConstructorArguments.FirstOrDefault().Value as int? ?? 0;

            private static string SchemaName(INamedTypeSymbol type) =>
                FindAttribute(type, AttributeName)?.NamedArguments.FirstOrDefault(a => a.Key == "Name").Value.Value as string is { Length: > 0 } name
                    ? name
                    : type.ToDisplayString(s_fullName);

            // The name the user wrote: an auto-property's, or a captured primary-constructor parameter's (whose
            // compiler-generated field is named "<p>P"), so that a rejection's path leads back to the declaration.
            private static string SourceName(IFieldSymbol field)
            {
                if (field.AssociatedSymbol is { } property)
                {
                    return property.Name;
                }

                int close = field.Name.IndexOf('>');
                return field.IsImplicitlyDeclared && field.Name.StartsWith("<") && close > 1 ? field.Name.Substring(1, close - 1) : field.Name;
            }

            private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

            private static IEnumerable<INamedTypeSymbol> Containing(INamedTypeSymbol type)
            {
                for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
                {
                    yield return outer;
                }
            }

            // Types from metadata were compiled already; only source declarations can lack the keyword.
            private bool IsPartial(INamedTypeSymbol type) =>
                type.DeclaringSyntaxReferences.Length == 0 ||
                type.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword));

            private static FieldKind? VarKind(ITypeSymbol type)
            {
                if (type.ContainingNamespace is not { Name: "NeoBuffer", ContainingNamespace.IsGlobalNamespace: true } || type.ContainingType is not null)
                {
                    return null;
                }

                return type.MetadataName switch
                {
                    "VarBytes" => FieldKind.VarBytes,
                    "VarUtf8" => FieldKind.VarUtf8,
                    "VarArray`1" => FieldKind.VarArray,
                    _ => null,
                };
            }

            // These BCL structs are auto layout (or hold an auto-layout field), so the CLR may reorder them.
            private static bool IsBclAutoLayout(INamedTypeSymbol type)
            {
                if (type.OriginalDefinition.SpecialType is SpecialType.System_Nullable_T or SpecialType.System_DateTime || type.IsTupleType)
                {
                    return true;
                }

                string name = type.OriginalDefinition.ToDisplayString(s_fullName);
                return name is "System.DateTimeOffset" or "System.Collections.Generic.KeyValuePair<TKey, TValue>" || name.StartsWith("System.ValueTuple");
            }
        }
    }
}
