using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Linq;
using System.Text.Json;
using Spectre.Console;

namespace NeoBuffer.Cli.Verbs;

/// <summary><c>neobuffer ls [--dir D] [--json]</c>: every channel of a directory, one line each.</summary>
internal static class ListVerb
{
    public static Command Create()
    {
        Option<string?> directory = CommonOptions.Directory();
        Option<bool> json = CommonOptions.Json();
        var command = new Command("ls", "List every channel: topology, schema, capacity, fill, participants, state, age; stale ones marked.")
        {
            directory,
            json,
        };
        command.SetAction(parsed => CliExit.Run(() => Run(parsed.GetValue(directory), parsed.GetValue(json))));
        return command;
    }

    private static int Run(string? directory, bool json)
    {
        IReadOnlyList<ChannelSnapshot> channels = ChannelInspector.SnapshotAll(directory);
        if (json)
        {
            using var writer = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            writer.WriteStartArray();
            foreach (ChannelSnapshot channel in channels)
            {
                SnapshotJson.WriteSummary(writer, channel);
            }

            writer.WriteEndArray();
            writer.Flush();
            Console.Out.WriteLine();
            return CliExit.Done;
        }

        IAnsiConsole console = Terminal.Create();
        if (channels.Count == 0)
        {
            console.WriteLine("no channels");
            return CliExit.Done;
        }

        Table table = Terminal.NewTable("NAME", "TOPOLOGY", "SCHEMA", "FINGERPRINT", "CAPACITY", "FILL", "PARTICIPANTS", "STATE", "AGE");
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (ChannelSnapshot channel in channels)
        {
            string participants = channel.Participants.Count == 0
                ? "none"
                : string.Join(", ", channel.Participants.Select(p => Colour(Formatting.Participant(p), p.IsAlive ? "green" : "red")));
            string state = channel.Completion + (channel.IsStale ? ", " + Colour("stale", "yellow") : "");
            table.AddRow(
                Terminal.Cell(channel.Name),
                Formatting.Topology(channel.Topology),
                Terminal.Cell(channel.SchemaName ?? (channel.SchemaText.Length == 0 ? "(raw bytes)" : "(unreadable)")),
                Formatting.Fingerprint(channel.Fingerprint),
                Formatting.Bytes(channel.Capacity),
                Formatting.Fill(channel.UsedBytes, channel.Capacity),
                participants,
                state,
                Formatting.Age(channel.CreatedAt, now));
        }

        console.Write(table);
        return CliExit.Done;
    }

    private static string Colour(string text, string colour) => $"[{colour}]{Markup.Escape(text)}[/]";
}
