using System.Text.Json;

namespace NeoBuffer.Cli;

/// <summary>A channel snapshot as JSON: the summary <c>ls</c> prints, and the whole of it for <c>inspect</c>.</summary>
internal static class SnapshotJson
{
    public static void WriteSummary(Utf8JsonWriter json, ChannelSnapshot channel)
    {
        json.WriteStartObject();
        WriteIdentity(json, channel);
        json.WriteNumber("usedBytes", channel.UsedBytes);
        json.WriteString("completion", channel.Completion);
        json.WriteBoolean("attached", channel.IsAttached);
        json.WriteBoolean("stale", channel.IsStale);
        WriteParticipants(json, channel);
        json.WriteEndObject();
    }

    public static void WriteWhole(Utf8JsonWriter json, ChannelSnapshot channel)
    {
        json.WriteStartObject();
        WriteIdentity(json, channel);
        json.WriteNumber("formatVersion", channel.FormatVersion);
        json.WriteNumber("headerSize", channel.HeaderSize);
        json.WriteNumber("maxMessageSize", channel.MaxMessageSize);
        json.WriteString("schemaText", channel.SchemaText);
        json.WriteBoolean("keepSegment", channel.KeepSegment);
        json.WriteNumber("creatorPid", channel.CreatorPid);
        json.WriteNumber("attachCount", channel.AttachCount);
        json.WriteBoolean("fencedPublication", channel.FencedPublication);
        json.WriteNumber("tail", channel.Tail);
        json.WriteNumber("tailSequence", channel.TailSequence);
        json.WriteNumber("tailVersion", channel.TailVersion);
        json.WriteNumber("head", channel.Head);
        json.WriteNumber("claimTail", channel.ClaimTail);
        json.WriteBoolean("claimsClosed", channel.ClaimsClosed);
        json.WriteNumber("tailIntent", channel.TailIntent);
        json.WriteNumber("oldest", channel.Oldest);
        json.WriteNumber("joinEpoch", channel.JoinEpoch);
        json.WriteNumber("readerWake", channel.ReaderWake);
        json.WriteNumber("writerWake", channel.WriterWake);
        json.WriteString("completion", channel.Completion);
        json.WriteString("completionError", channel.CompletionError);
        json.WriteNumber("usedBytes", channel.UsedBytes);
        json.WriteBoolean("attached", channel.IsAttached);
        json.WriteBoolean("stale", channel.IsStale);
        WriteParticipants(json, channel);
        json.WriteEndObject();
    }

    private static void WriteIdentity(Utf8JsonWriter json, ChannelSnapshot channel)
    {
        json.WriteString("name", channel.Name);
        json.WriteString("path", channel.Path);
        json.WriteString("topology", Formatting.Topology(channel.Topology));
        json.WriteString("schema", channel.SchemaName);
        json.WriteString("fingerprint", Formatting.Fingerprint(channel.Fingerprint));
        json.WriteNumber("capacity", channel.Capacity);
        json.WriteString("createdAt", channel.CreatedAt.ToString("O"));
    }

    private static void WriteParticipants(Utf8JsonWriter json, ChannelSnapshot channel)
    {
        json.WriteStartArray("participants");
        foreach (ParticipantSnapshot p in channel.Participants)
        {
            json.WriteStartObject();
            json.WriteNumber("row", p.Row);
            json.WriteString("role", p.Role);
            json.WriteString("state", p.State);
            json.WriteNumber("pid", p.Pid);
            json.WriteBoolean("alive", p.IsAlive);
            json.WriteString("mode", p.Mode?.ToString().ToLowerInvariant());
            json.WriteNumber("generation", p.Generation);
            json.WriteNumber("position", p.Position);
            json.WriteNumber("claimEnd", p.ClaimEnd);
            json.WriteNumber("lost", p.Lost);
            json.WriteNumber("messages", p.Messages);
            json.WriteNumber("bytes", p.Bytes);
            json.WriteNumber("parkedWaits", p.ParkedWaits);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }
}
