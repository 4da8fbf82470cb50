using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace NeoBuffer.Analyzers.Diagnostics
{
    /// <summary>
    /// The catalog: one descriptor per id (docs/design.md, "Diagnostics", and docs/diagnostics.md; NB0100 up for the classifier's other reasons). Each
    /// message is "'subject' why; what to use instead", where the subject names the field path and its type
    /// (<c>Outer.Inner.Name: string</c>) or the message type, and the advice is chosen per case.
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        public const string Category = "NeoBuffer";

        /// <summary>Where docs/diagnostics.md is published; each id has its own section (anchor: the id in lower case).</summary>
        public const string HelpBase = "https://github.com/neobuffer/neobuffer/blob/main/docs/diagnostics.md";

        public static readonly DiagnosticDescriptor NotPartialStruct = new(
            id: "NB0001",
            title: "[ChannelMessage] must be on a partial struct",
            messageFormat: "'{0}' is not a partial struct: a record in shared memory is read in place as a struct, and the generator adds the layout, View and Builder to the type itself; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A channel message is a partial struct, so that the generator can add its members and the record can be read in place.",
            helpLinkUri: HelpBase + "#nb0001");

        public static readonly DiagnosticDescriptor ReferenceType = new(
            id: "NB0002",
            title: "A reference-type field cannot cross a process boundary",
            messageFormat: "'{0}' is a reference type: it points into one process's heap, which no other process can read; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Classes, interfaces, delegates, object, string, arrays and record classes are references into the writer's heap: the bytes of the message must hold the data itself.",
            helpLinkUri: HelpBase + "#nb0002");

        public static readonly DiagnosticDescriptor Pointer = new(
            id: "NB0003",
            title: "A pointer field cannot cross a process boundary",
            messageFormat: "'{0}' is a pointer: an address means something only in the process that made it; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Pointers and function pointers are addresses in the writer's address space; shared memory is mapped at other addresses in other processes.",
            helpLinkUri: HelpBase + "#nb0003");

        public static readonly DiagnosticDescriptor NativeSizedInteger = new(
            id: "NB0004",
            title: "A native-sized integer cannot cross a process boundary",
            messageFormat: "'{0}' is native-sized: its size can differ between processes, and a handle or address it holds is valid only in its own process; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "nint, nuint, IntPtr and UIntPtr change size with the process's bitness and usually hold handles or addresses that mean nothing elsewhere.",
            helpLinkUri: HelpBase + "#nb0004");

        public static readonly DiagnosticDescriptor AutoLayout = new(
            id: "NB0005",
            title: "An auto-layout struct cannot cross a process boundary",
            messageFormat: "'{0}' has auto layout: the runtime may order its fields differently in another process or version, so its bytes have no fixed meaning; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "[StructLayout(LayoutKind.Auto)], and BCL structs with auto layout (DateTime, DateTimeOffset, ValueTuple, KeyValuePair, Nullable<T>), have no layout another process can rely on.",
            helpLinkUri: HelpBase + "#nb0005");

        public static readonly DiagnosticDescriptor UntrustedExternalStruct = new(
            id: "NB0006",
            title: "A struct from another assembly must be a [ChannelMessage]",
            messageFormat: "'{0}' is a struct from another assembly that is not a [ChannelMessage]: its layout is not checked and may change with that assembly's version; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Only the layout of a [ChannelMessage] struct is generated and checked; a struct of another assembly can change its fields without this message's schema noticing.",
            helpLinkUri: HelpBase + "#nb0006");

        public static readonly DiagnosticDescriptor Generic = new(
            id: "NB0007",
            title: "A channel message cannot be generic",
            messageFormat: "'{0}' is generic: a channel message needs one fixed layout and one schema; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A message type, its containing types and its fields' types may not depend on type parameters: each message has one layout and one fingerprint.",
            helpLinkUri: HelpBase + "#nb0007");

        public static readonly DiagnosticDescriptor ContainingTypeNotPartial = new(
            id: "NB0008",
            title: "The types containing a channel message must be partial",
            messageFormat: "'{0}' is nested in '{1}', which is not partial: the generator adds the message's members through a partial declaration of every containing type; declare '{1}' partial",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The generated code re-declares each containing type to reach the message, which C# allows only for partial types.",
            helpLinkUri: HelpBase + "#nb0008");

        public static readonly DiagnosticDescriptor RefLike = new(
            id: "NB0009",
            title: "A ref struct or by-ref field cannot cross a process boundary",
            messageFormat: "'{0}' is a ref struct or a by-ref field: it refers to memory of one process's stack or heap; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Span<T>, other ref structs and ref fields are references into the writer's memory, and a message that is a ref struct cannot be stored in a ring.",
            helpLinkUri: HelpBase + "#nb0009");

        public static readonly DiagnosticDescriptor ExplicitLayout = new(
            id: "NB0010",
            title: "A channel message cannot use explicit layout",
            messageFormat: "'{0}' uses explicit layout or [FieldOffset]: overlapping fields defeat the checks that make reading a peer's bytes safe; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Views validate every field of a record written by another, possibly hostile, process; fields that overlap give one byte two meanings.",
            helpLinkUri: HelpBase + "#nb0010");

        public static readonly DiagnosticDescriptor VarFieldInNestedStruct = new(
            id: "NB0011",
            title: "Variable-length fields belong in the top-level message",
            messageFormat: "'{0}' is a variable-length field inside a nested struct or an array element, but only the top-level message has a tail for variable-length data; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "VarBytes, VarUtf8 and VarArray<T> describe bytes in the message's tail; a nested struct or an array element is copied as fixed bytes and has no tail of its own.",
            helpLinkUri: HelpBase + "#nb0011");

        public static readonly DiagnosticDescriptor LargeFixedPart = new(
            id: "NB0012",
            title: "The fixed part of a channel message is larger than 64 KiB",
            messageFormat: "'{0}' has a fixed part of {1} bytes, over 64 KiB: every record reserves it whole in the ring; put the bulk in a VarBytes or VarArray<T> field",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Fixed buffers and inline arrays are always sent whole; variable-length fields send only what is used.",
            helpLinkUri: HelpBase + "#nb0012");

        public static readonly DiagnosticDescriptor NotAChannelMessage = new(
            id: "NB0100",
            title: "A struct field must be a [ChannelMessage] struct",
            messageFormat: "'{0}' is a struct that is not a [ChannelMessage]: its layout is neither generated nor checked; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A nested struct of this assembly crosses the boundary only as a [ChannelMessage], whose layout the generator computes and checks against the CLR's.",
            helpLinkUri: HelpBase + "#nb0100");

        public static readonly DiagnosticDescriptor HiddenField = new(
            id: "NB0101",
            title: "A channel message cannot hold auto-properties or captured parameters",
            messageFormat: "'{0}' is stored in a compiler-generated field that generated code cannot name; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Auto-properties and captured primary-constructor parameters are stored in hidden fields whose offsets the View and Builder cannot refer to.",
            helpLinkUri: HelpBase + "#nb0101");

        public static readonly DiagnosticDescriptor PackOrSizeOverride = new(
            id: "NB0102",
            title: "A channel message cannot set Pack or Size",
            messageFormat: "'{0}' sets Pack or Size in [StructLayout], which moves fields away from natural alignment; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Messages use sequential layout with natural alignment, which the generator computes and the views rely on.",
            helpLinkUri: HelpBase + "#nb0102");

        public static readonly DiagnosticDescriptor ReservedName = new(
            id: "NB0103",
            title: "A field name is taken by the generated code",
            messageFormat: "'{0}' has a name the generated code uses itself (a member of the message, its View or its Builder, a name starting with __, or XUtf8 beside a text field X); rename the field",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The generator adds Layout, View, Builder and, on the View and Builder, Record, Commit, Abort, Dispose, Claim, TryClaim, LengthFor and XUtf8 for each text field X.",
            helpLinkUri: HelpBase + "#nb0103");

        public static readonly DiagnosticDescriptor SinceWithoutVersion = new(
            id: "NB0104",
            title: "[Since] needs a versioned message",
            messageFormat: "'{0}' is marked [Since] in a message without a Version: records of a message that does not evolve cannot say which fields they have; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Only a message declared [ChannelMessage(Version = n)] carries its block length in every record, which is what lets readers of other versions tell a field added later from one that is absent.",
            helpLinkUri: HelpBase + "#nb0104");

        public static readonly DiagnosticDescriptor VersionOutOfRange = new(
            id: "NB0105",
            title: "A version is out of range",
            messageFormat: "'{0}' has a version out of range: a message's Version is 0 (does not evolve) to 65535, a field's [Since(n)] is 2 up to the message's Version; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A field cannot be newer than its message, and version 1 is the fields without [Since].",
            helpLinkUri: HelpBase + "#nb0105");

        public static readonly DiagnosticDescriptor SinceOutOfOrder = new(
            id: "NB0106",
            title: "Fields are appended in version order",
            messageFormat: "'{0}' follows a field of a later version: each version's fields must be a prefix of the next one's, so that their offsets never move; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A record of version n ends where version n's fields end; a field of an earlier version after a later one would lie beyond that end in the records of its own version.",
            helpLinkUri: HelpBase + "#nb0106");

        public static readonly DiagnosticDescriptor VersionedNested = new(
            id: "NB0107",
            title: "A versioned message cannot be nested",
            messageFormat: "'{0}' is a versioned message embedded in another: only a whole record carries the block prefix that says which version wrote it; {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "A nested message is embedded whole in its container's fixed block and cannot grow; version the container instead.",
            helpLinkUri: HelpBase + "#nb0107");

        public static readonly DiagnosticDescriptor SchemaNotLocked = new(
            id: "NB0108",
            title: "A message's schema is not the locked one",
            messageFormat: "'{0}' {1}: update neobuffer.schema.lock (the light bulb does it) once this version ships",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "The lock file records the schema each message shipped with. A compatible change (fields appended with [Since(n)], fields marked [Obsolete]) still shares channels with the locked version; record it so the next change is judged against it.",
            helpLinkUri: HelpBase + "#nb0108");

        public static readonly DiagnosticDescriptor BreakingSchemaChange = new(
            id: "NB0109",
            title: "A message change breaks its locked schema",
            messageFormat: "'{0}' no longer shares a channel with its shipped version: {1}",
            category: Category,
            defaultSeverity: DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Programs built from the locked schema would refuse (or misread) this one. Keep every shipped field where and what it is: append new fields with [Since(n)] under a higher Version, and mark the ones you no longer use [Obsolete].",
            helpLinkUri: HelpBase + "#nb0109");

        public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
            NotPartialStruct, ReferenceType, Pointer, NativeSizedInteger, AutoLayout, UntrustedExternalStruct, Generic,
            ContainingTypeNotPartial, RefLike, ExplicitLayout, VarFieldInNestedStruct, LargeFixedPart,
            NotAChannelMessage, HiddenField, PackOrSizeOverride, ReservedName,
            SinceWithoutVersion, VersionOutOfRange, SinceOutOfOrder, VersionedNested, SchemaNotLocked, BreakingSchemaChange);
    }
}
