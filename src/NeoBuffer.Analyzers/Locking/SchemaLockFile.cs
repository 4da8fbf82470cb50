using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using NeoBuffer.Classification;

namespace NeoBuffer.Analyzers.Locking
{
    /// <summary>
    /// <c>neobuffer.schema.lock</c>: the shipped schema of every message of a project, committed beside it as an
    /// additional file (as PublicAPI.Shipped.txt is for public APIs). Each entry is a <c># type &lt;C# type&gt;</c>
    /// line, then the message's canonical schema text; entries are separated by a blank line. The analyzers compare each
    /// message with its entry, and a code fix writes the entry.
    /// </summary>
    internal static class SchemaLockFile
    {
        public const string FileName = "neobuffer.schema.lock";

        private const string TypePrefix = "# type ";

        private const string Preamble =
            "# The shipped schema of every [ChannelMessage] of this project (NeoBuffer analyzers, NB0108 and NB0109).\n" +
            "# Commit it. A compatible change of a message is a warning whose fix updates its entry; a breaking one is an error.\n";

        /// <summary>Whether <paramref name="path"/> names a lock file.</summary>
        public static bool IsLockFile(string path) =>
            string.Equals(System.IO.Path.GetFileName(path), FileName, StringComparison.OrdinalIgnoreCase);

        /// <summary>The entries of a lock file, in file order; text that is not an entry is ignored.</summary>
        public static List<SchemaLockEntry> Parse(string text)
        {
            var entries = new List<SchemaLockEntry>();
            string? type = null;
            StringBuilder? schema = null;
            foreach (string raw in text.Replace("\r\n", "\n").Split('\n'))
            {
                if (raw.StartsWith(TypePrefix, StringComparison.Ordinal) || raw == MessageSchema.Header || raw.Length == 0)
                {
                    Flush(entries, ref type, ref schema);
                }

                if (raw.StartsWith(TypePrefix, StringComparison.Ordinal))
                {
                    type = raw.Substring(TypePrefix.Length).Trim();
                }
                else if (raw == MessageSchema.Header)
                {
                    schema = new StringBuilder();
                }

                if (schema is not null && raw.Length > 0)
                {
                    schema.Append(raw).Append('\n');
                }
            }

            Flush(entries, ref type, ref schema);
            return entries;
        }

        /// <summary><paramref name="text"/> with the entry of <paramref name="entry"/>'s message written (replaced in place, or added).</summary>
        public static string WithEntry(string text, SchemaLockEntry entry)
        {
            List<SchemaLockEntry> entries = Parse(text);
            int index = entries.FindIndex(e => e.SchemaName == entry.SchemaName || e.TypeName == entry.TypeName);
            if (index >= 0)
            {
                entries[index] = entry;
            }
            else
            {
                entries.Add(entry);
            }

            var written = new StringBuilder(Preamble);
            foreach (SchemaLockEntry e in entries)
            {
                written.Append('\n').Append(TypePrefix).Append(e.TypeName).Append('\n').Append(e.SchemaText);
            }

            return written.ToString();
        }

        private static void Flush(List<SchemaLockEntry> entries, ref string? type, ref StringBuilder? schema)
        {
            if (schema is not null)
            {
                string text = schema.ToString();
                string name = text.Split('\n').Skip(1).FirstOrDefault()?.Split(' ').Skip(1).FirstOrDefault() ?? "";
                entries.Add(new SchemaLockEntry(type ?? "", name, text));
                type = null;
                schema = null;
            }
        }
    }
}
