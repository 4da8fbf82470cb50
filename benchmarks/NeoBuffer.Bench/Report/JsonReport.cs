using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace NeoBuffer.Bench.Report;

/// <summary>
/// Writes the rows as a JSON array of <c>{scenario, transport, messageBytes, messages, producers, subscribers, msgsPerSec,
/// gbPerSec, p50Ns, p99Ns, reader, cpuPercent, wakeupsPerSec, requestsOverGrpc}</c>: <c>producers</c> (processes writing; 1 but in MPSC
/// rows) was added beside <c>subscribers</c> (processes reading; 1 but in broadcast rows); <c>reader</c>,
/// <c>cpuPercent</c> and <c>wakeupsPerSec</c> were added for the <c>idle-cpu</c> rows and are null in every other row;
/// <c>requestsOverGrpc</c> (NeoBuffer's requests/s over gRPC over UDS's) was added for the <c>request</c> run's
/// <c>neobuffer</c> rows and is null in every other row;
/// every other field keeps its meaning.
/// </summary>
internal static class JsonReport
{
    public static void Write(string path, IReadOnlyList<ResultRow> rows)
    {
        using FileStream file = File.Create(path);
        using var json = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true });
        json.WriteStartArray();
        foreach (ResultRow row in rows)
        {
            json.WriteStartObject();
            json.WriteString("scenario", row.Scenario);
            json.WriteString("transport", row.Transport);
            json.WriteNumber("messageBytes", row.MessageBytes);
            json.WriteNumber("messages", row.Messages);
            json.WriteNumber("producers", row.Producers);
            json.WriteNumber("subscribers", row.Subscribers);
            WriteOptional(json, "msgsPerSec", row.MsgsPerSec);
            WriteOptional(json, "gbPerSec", row.GbPerSec);
            WriteOptional(json, "p50Ns", row.P50Ns);
            WriteOptional(json, "p99Ns", row.P99Ns);
            json.WriteString("placement", row.Placement);
            WriteOptional(json, "roundLow", row.RoundSpread?.Low);
            WriteOptional(json, "roundHigh", row.RoundSpread?.High);
            if (row.Reader is string reader)
            {
                json.WriteString("reader", reader);
            }
            else
            {
                json.WriteNull("reader");
            }

            WriteOptional(json, "cpuPercent", row.CpuPercent);
            WriteOptional(json, "wakeupsPerSec", row.WakeupsPerSec);
            WriteOptional(json, "requestsOverGrpc", row.RequestsOverGrpc);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double number)
        {
            json.WriteNumber(name, System.Math.Round(number, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
