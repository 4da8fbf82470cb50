using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using NeoBuffer.Cli.Decoding;

namespace NeoBuffer.Cli.Verbs;

/// <summary>
/// <c>neobuffer tail NAME [-n N] [--follow] [--json]</c>: the last messages of a channel, decoded by the schema text
/// stored in it, read by a <see cref="ChannelSpy"/>: through a read-only mapping, without joining the channel, so the
/// channel's own writers and readers are never disturbed. Messages it was too slow to see are reported as skipped.
/// </summary>
internal static class TailVerb
{
    /// <summary>How long a follow waits before it looks again when nothing is new (it cannot park: it never writes a wake word).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    // Text a person reads stays readable (UTF-8 as is); still JSON any parser reads back.
    private static readonly JsonWriterOptions JsonOutput = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        Argument<string> name = CommonOptions.ChannelName();
        Option<string?> directory = CommonOptions.Directory();
        Option<bool> json = new("--json") { Description = "Print one JSON object per message." };
        Option<int> lines = new("--lines", "-n") { Description = "How many of the messages in the ring to print first.", DefaultValueFactory = _ => 10 };
        Option<bool> follow = new("--follow", "-f") { Description = "Keep printing new messages until Ctrl+C." };
        Option<long> count = new("--count") { Description = "With --follow: stop after this many messages (0: never)." };
        lines.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--lines must be 0 or more.");
            }
        });
        var command = new Command("tail", "Print a channel's latest messages, decoded by its stored schema, without disturbing the channel.")
        {
            name,
            directory,
            lines,
            follow,
            count,
            json,
        };
        command.SetAction(parsed => CliExit.Run(() => Run(parsed.GetValue(name)!, parsed.GetValue(directory), parsed.GetValue(lines),
            parsed.GetValue(follow), parsed.GetValue(count), parsed.GetValue(json))));
        return command;
    }

    private static int Run(string name, string? directory, int lines, bool follow, long count, bool json)
    {
        using ChannelSpy spy = ChannelInspector.OpenSpy(name, directory, fromOldest: lines > 0);
        MessageDecoder? decoder = MessageDecoder.For(name, spy.SchemaText);
        using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };

        // What is in the ring now: read to the frontier seen at the start (a busy channel never runs dry), keep the last N.
        var latest = new Queue<string>(lines);
        long frontier = spy.Frontier;
        while (lines > 0 && spy.Position < frontier)
        {
            SpyRead read = spy.TryRead(out ReadOnlyMemory<byte> payload);
            if (read == SpyRead.None)
            {
                break;
            }

            if (latest.Count == lines)
            {
                latest.Dequeue();
            }

            latest.Enqueue(Format(spy, read, payload.Span, decoder, json));
        }

        foreach (string line in latest)
        {
            output.WriteLine(line);
        }

        output.Flush();
        if (!follow)
        {
            return CliExit.Done;
        }

        using var stop = new StopSignal();
        long printed = 0;
        while (!stop.IsStopped && (count <= 0 || printed < count))
        {
            SpyRead read = spy.TryRead(out ReadOnlyMemory<byte> payload);
            if (read == SpyRead.None)
            {
                output.Flush();
                stop.Wait(PollInterval);
                continue;
            }

            output.WriteLine(Format(spy, read, payload.Span, decoder, json));
            printed += read == SpyRead.Message ? 1 : 0;
        }

        output.Flush();
        return CliExit.Done;
    }

    private static string Format(ChannelSpy spy, SpyRead read, ReadOnlySpan<byte> payload, MessageDecoder? decoder, bool json)
    {
        if (read == SpyRead.Skipped)
        {
            return json ? SkippedJson(spy) : $"-- skipped {SkippedText(spy)}: the spy was too slow, they were read or overwritten first --";
        }

        if (json)
        {
            var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, JsonOutput))
            {
                writer.WriteStartObject();
                if (spy.LastSequence >= 0)
                {
                    writer.WriteNumber("sequence", spy.LastSequence);
                }

                writer.WriteNumber("length", payload.Length);
                if (decoder is null)
                {
                    writer.WritePropertyName("payload");
                    DecodedRendering.WriteJsonValue(writer, MessageDecoder.Raw(payload));
                }
                else
                {
                    writer.WriteString("message", decoder.MessageName);
                    writer.WriteStartObject("fields");
                    DecodedRendering.WriteJson(writer, decoder.Decode(payload));
                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        string prefix = spy.LastSequence >= 0 ? $"#{spy.LastSequence.ToString(CultureInfo.InvariantCulture)} " : "";
        string body = decoder is null
            ? DecodedRendering.Text([MessageDecoder.Raw(payload)])
            : DecodedRendering.Text(decoder.Decode(payload));
        return prefix + body;
    }

    private static string SkippedText(ChannelSpy spy) => spy.LastSkippedMessages >= 0
        ? $"{spy.LastSkippedMessages} messages"
        : $"{spy.LastSkippedBytes} bytes of messages";

    private static string SkippedJson(ChannelSpy spy)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, JsonOutput))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("skipped");
            if (spy.LastSkippedMessages >= 0)
            {
                writer.WriteNumber("messages", spy.LastSkippedMessages);
            }

            if (spy.LastSkippedBytes >= 0)
            {
                writer.WriteNumber("bytes", spy.LastSkippedBytes);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
