using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Spectre.Console;

namespace NeoBuffer.Cli.Verbs;

/// <summary><c>neobuffer inspect NAME [--json]</c>: one channel's header field by field, its schema, participants and positions.</summary>
internal static class InspectVerb
{
    public static Command Create()
    {
        Argument<string> name = CommonOptions.ChannelName();
        Option<string?> directory = CommonOptions.Directory();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("inspect", "Show a channel's header decoded field by field, its schema, participant table, positions, wake words and completion.")
        {
            name,
            directory,
            json,
        };
        command.SetAction(parsed => CliExit.Run(() => Run(parsed.GetValue(name)!, parsed.GetValue(directory), parsed.GetValue(json))));
        return command;
    }

    private static int Run(string name, string? directory, bool json)
    {
        ChannelSnapshot channel = ChannelInspector.Snapshot(name, directory);
        MessageSchema? schema = null;
        if (channel.SchemaText.Length > 0 && !MessageSchema.TryParse(channel.SchemaText, out schema, out string? error))
        {
            throw new SchemaTextException($"channel '{name}' stores a schema text this tool cannot parse ({error}). Use a neobuffer tool of the writer's version.");
        }

        if (json)
        {
            using var writer = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            SnapshotJson.WriteWhole(writer, channel);
            writer.Flush();
            Console.Out.WriteLine();
            return CliExit.Done;
        }

        IAnsiConsole console = Terminal.Create();
        Terminal.Heading(console, $"channel {channel.Name}");
        console.Write(Header(channel));
        Terminal.Heading(console, schema is null ? "schema: raw bytes" : $"schema {schema.Name} (fixed block {schema.FixedSize} bytes, align {schema.Alignment})");
        if (schema is not null)
        {
            Table fields = Terminal.NewTable("FIELD", "KIND", "OFFSET", "SIZE", "TYPE", "ATTRIBUTES");
            AddFields(fields, schema.Fields, depth: 0);
            console.Write(fields);
        }

        Terminal.Heading(console, "participants");
        if (channel.Participants.Count == 0)
        {
            console.WriteLine("none");
        }
        else
        {
            Table rows = Terminal.NewTable("ROW", "ROLE", "STATE", "PID", "ALIVE", "MODE", "GENERATION", "POSITION", "CLAIM END", "LOST", "MESSAGES", "BYTES", "PARKED");
            foreach (ParticipantSnapshot p in channel.Participants)
            {
                rows.AddRow(Num(p.Row), p.Role, p.State, Num(p.Pid), p.IsAlive ? "[green]yes[/]" : "[red]no[/]", p.Mode?.ToString().ToLowerInvariant() ?? "-",
                    Num((long)p.Generation), Num(p.Position), Num(p.ClaimEnd), Num(p.Lost), Num(p.Messages), Num(p.Bytes), Num(p.ParkedWaits));
            }

            console.Write(rows);
        }

        return CliExit.Done;
    }

    /// <summary>The header's fields at their offsets (docs/format.md, "Header page").</summary>
    private static Table Header(ChannelSnapshot c)
    {
        Table table = Terminal.NewTable("OFFSET", "FIELD", "VALUE");
        void Row(int offset, string field, string value) => table.AddRow($"0x{offset:X3}", field, Terminal.Cell(value));

        Row(0x08, "FormatVersion", Num(c.FormatVersion));
        Row(0x10, "HeaderSize", Num(c.HeaderSize));
        Row(0x14, "Topology", Formatting.Topology(c.Topology));
        Row(0x18, "Capacity", $"{Num(c.Capacity)} ({Formatting.Bytes(c.Capacity)})");
        Row(0x20, "MaxPayloadSize", Num(c.MaxMessageSize));
        Row(0x28, "Fingerprint", Formatting.Fingerprint(c.Fingerprint));
        Row(0x48, "CreatorPid", Num(c.CreatorPid));
        Row(0x4C, "Flags", c.KeepSegment ? "keep" : "none");
        Row(0x58, "CreatedUnixTimeMs", c.CreatedAt.ToString("u", CultureInfo.InvariantCulture));
        Row(0x84, "AttachCount", Num(c.AttachCount));
        Row(0x88, "FencedPublication", c.FencedPublication ? "yes" : "no");
        Row(0x100, "Tail", Num(c.Tail));
        if (c.Topology == ChannelTopology.Broadcast)
        {
            Row(0x108, "TailSequence", Num(c.TailSequence));
            Row(0x110, "TailVersion", Num(c.TailVersion));
        }
        else
        {
            Row(0x180, "Head", Num(c.Head));
        }

        Row(0x200, "ReaderWake", Num(c.ReaderWake));
        Row(0x280, "WriterWake", Num(c.WriterWake));
        Row(0x300, "Completion", c.Completion);
        if (c.CompletionError is not null)
        {
            Row(0x308, "CompletionError", c.CompletionError);
        }

        if (c.Topology == ChannelTopology.Broadcast)
        {
            Row(0x400, "TailIntent", Num(c.TailIntent));
            Row(0x500, "Oldest", Num(c.Oldest));
            Row(0x580, "JoinEpoch", Num(c.JoinEpoch));
        }
        else if (c.Topology == ChannelTopology.MultiProducerSingleConsumer)
        {
            Row(0x480, "ClaimTail", Num(c.ClaimTail) + (c.ClaimsClosed ? " (closed)" : ""));
        }

        table.AddRow("", "(ring used)", $"{Num(c.UsedBytes)} bytes, {Formatting.Percent(c.UsedBytes, c.Capacity)}");
        table.AddRow("", "(attached)", c.IsAttached ? "yes" : c.IsStale ? "no: stale" : "no: kept");
        return table;
    }

    private static void AddFields(Table table, IReadOnlyList<SchemaField> fields, int depth)
    {
        foreach (SchemaField field in fields)
        {
            string attributes = string.Join(" ", field.Attributes.Select(a => $"{a.Key}={a.Value}"));
            table.AddRow(Terminal.Cell(new string(' ', depth * 2) + field.Path), field.Kind.ToString(), Num(field.Offset), Num(field.Size),
                Terminal.Cell(field.Type), Terminal.Cell(attributes));
            AddFields(table, field.Members, depth + 1);
        }
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
