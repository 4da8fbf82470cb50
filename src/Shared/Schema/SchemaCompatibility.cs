using System;
using System.Collections.Generic;

#if NEOBUFFER_ROSLYN
namespace NeoBuffer.Classification;
#else
namespace NeoBuffer;
#endif

/// <summary>
/// Decides whether two schemas of one message can share a channel, and says why not in words a person can act on.
/// The runtime asks it when a typed channel opens with another fingerprint; the analyzers ask it when a message differs
/// from its locked schema. Both give it parsed texts, so a rule is written once.
/// </summary>
/// <remarks>
/// Two schemas are compatible when one is a prefix-extension of the other: the same message name, both versioned (their
/// records carry the block prefix that tells a reader which fields a record has), every field of the shorter one
/// in the longer one at the same place with the same name, kind, offset, size, type, nested members and version, and
/// every further field of the longer one added after the shorter one's version (<c>since=</c> above it). Marking a
/// field obsolete changes nothing a peer reads, so it is ignored. Unversioned schemas are compatible only when equal.
/// </remarks>
internal static class SchemaCompatibility
{
    private const string Advice = "fields keep their name, type and place for ever: append a new field with [Since(n)] and mark the old one [Obsolete]";

    /// <summary>What stops <paramref name="here"/> and <paramref name="there"/> sharing a channel; empty when nothing does.</summary>
    public static List<string> Check(MessageSchema here, MessageSchema there)
    {
        var problems = new List<string>();
        if (here.Name != there.Name)
        {
            problems.Add($"message name: '{here.Name}' here, '{there.Name}' there. A renamed message is another message: keep the old name with [ChannelMessage(Name = \"{there.Name}\")].");
        }

        if ((here.Version == 0) != (there.Version == 0))
        {
            problems.Add($"version: {VersionText(here)} here, {VersionText(there)} there. Only versioned messages carry the block prefix that lets two versions share a channel: declare [ChannelMessage(Version = 1)] from a message's first shipped version on.");
        }

        CompareFields(here.Fields, there.Fields, problems);
        int common = Math.Min(here.Fields.Count, there.Fields.Count);
        bool hereLonger = here.Fields.Count > there.Fields.Count;
        MessageSchema shorter = hereLonger ? there : here;
        IReadOnlyList<SchemaField> extra = (hereLonger ? here : there).Fields;
        for (int i = common; i < extra.Count; i++)
        {
            SchemaField field = extra[i];
            string side = hereLonger ? "here but not there" : "there but not here";
            if (here.Version == 0 || there.Version == 0)
            {
                problems.Add($"field '{field.Name}' ({Describe(field)}) is {side}, and a message without a version cannot grow.");
            }
            else if (field.Since <= shorter.Version)
            {
                problems.Add(
                    $"field '{field.Name}' ({Describe(field)}, since version {field.Since}) is {side}, whose schema is version {shorter.Version}: " +
                    $"a field added later must say so with [Since(n)], n above {shorter.Version}; a field that was removed breaks every peer ({Advice}).");
            }
        }

        // Unversioned schemas share a channel only when equal; whatever else differs, say so rather than nothing.
        if (problems.Count == 0 && (here.Version == 0 || there.Version == 0) && here.Text != there.Text)
        {
            problems.Add("the two schema texts differ, and a message without a version shares a channel only with its identical schema.");
        }

        return problems;
    }

    private static void CompareFields(IReadOnlyList<SchemaField> here, IReadOnlyList<SchemaField> there, List<string> problems)
    {
        int common = Math.Min(here.Count, there.Count);
        for (int i = 0; i < common; i++)
        {
            SchemaField mine = here[i];
            SchemaField theirs = there[i];
            if (mine.Name != theirs.Name)
            {
                string moved = IndexOf(there, mine.Name) is int at and >= 0 ? $" ('{mine.Name}' is field {at + 1} there: moved)" : "";
                problems.Add($"field {i + 1}{Within(mine)}: '{mine.Name}' ({Describe(mine)}) here, '{theirs.Name}' ({Describe(theirs)}) there{moved}: renamed, removed or reordered; {Advice}.");
                continue;
            }

            if (mine.Kind != theirs.Kind || mine.Offset != theirs.Offset || mine.Size != theirs.Size || mine.Type != theirs.Type)
            {
                problems.Add($"field '{mine.Path}': {mine.Kind.ToString().ToLowerInvariant()} {Describe(mine)} here, {theirs.Kind.ToString().ToLowerInvariant()} {Describe(theirs)} there: retyped or moved; {Advice}.");
                continue;
            }

            if (mine.Since != theirs.Since)
            {
                problems.Add($"field '{mine.Path}': since version {mine.Since} here, {theirs.Since} there: a field's version never changes.");
            }

            // A nested message or array element is embedded whole: its members may not change at all.
            int before = problems.Count;
            CompareFields(mine.Members, theirs.Members, problems);
            if (problems.Count == before && mine.Members.Count != theirs.Members.Count)
            {
                problems.Add($"field '{mine.Path}': {mine.Members.Count} members here, {theirs.Members.Count} there: a nested message is embedded whole and cannot grow.");
            }
        }
    }

    private static int IndexOf(IReadOnlyList<SchemaField> fields, string name)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (fields[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static string Within(SchemaField field)
    {
        int dot = field.Path.Length - field.Name.Length - 1;
        return dot > 0 ? $" of '{field.Path.Substring(0, dot).TrimEnd('[', ']', '.')}'" : "";
    }

    private static string Describe(SchemaField field) => $"{field.Type} at offset {field.Offset}, {field.Size} bytes";

    private static string VersionText(MessageSchema schema) => schema.Version == 0 ? "no version" : $"version {schema.Version}";
}
