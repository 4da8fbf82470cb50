using System.Diagnostics.Metrics;

namespace NeoBuffer.Metrics;

/// <summary>
/// The <c>NeoBuffer</c> meter and its instruments, the System.Net way: one static <see cref="Meter"/>, instruments
/// created once. Every instrument is observable: endpoints keep plain counts (<see cref="EndpointMetrics"/>) and the
/// callbacks walk the endpoints open in this process when a listener collects, so writing and reading a message
/// never calls <c>Counter.Add</c>, takes a lock or makes an interlocked operation for metrics.
/// </summary>
/// <remarks>
/// Each endpoint reports its own series (see <see cref="EndpointTags"/>); a disposed endpoint's series ends. Watch them
/// with <c>dotnet-counters monitor --counters NeoBuffer -p PID</c>. The instrument table is in README.md ("Metrics").
/// </remarks>
internal static class NeoBufferMeter
{
    /// <summary>The meter's name, which listeners and <c>dotnet-counters</c> select.</summary>
    public const string Name = SharedChannel.MeterName;

    private static readonly Meter s_meter = new(Name);
    private static readonly LiveEndpoints s_endpoints = new();

    static NeoBufferMeter()
    {
        s_meter.CreateObservableCounter<long>("neobuffer.messages.written",
            static () => s_endpoints.Observe(static e => e.Role == ChannelRole.Writer ? e.Messages : null),
            unit: "{message}", description: "Messages committed by writers of this process.");
        s_meter.CreateObservableCounter<long>("neobuffer.bytes.written",
            static () => s_endpoints.Observe(static e => e.Role == ChannelRole.Writer ? e.Bytes : null),
            unit: "By", description: "Payload bytes of the messages committed by writers of this process (record framing and padding excluded).");
        s_meter.CreateObservableCounter<long>("neobuffer.messages.read",
            static () => s_endpoints.Observe(static e => e.Role != ChannelRole.Writer ? e.Messages : null),
            unit: "{message}", description: "Messages read by readers and subscribers of this process (a lossy subscriber's torn reads count as lost instead).");
        s_meter.CreateObservableCounter<long>("neobuffer.bytes.read",
            static () => s_endpoints.Observe(static e => e.Role != ChannelRole.Writer ? e.Bytes : null),
            unit: "By", description: "Payload bytes of the messages read by readers and subscribers of this process.");
        s_meter.CreateObservableCounter<long>("neobuffer.messages.lost",
            static () => s_endpoints.Observe(static e => e.LostMessages),
            unit: "{message}", description: "Messages lossy broadcast subscribers of this process lost: overwritten before or while they were read.");
        s_meter.CreateObservableCounter<long>("neobuffer.waits.parked",
            static () => s_endpoints.Observe(static e => e.ParkedWaits),
            unit: "{wait}", description: "Waits for room or for a message that stopped spinning and slept on the futex.");
        s_meter.CreateObservableGauge<long>("neobuffer.ring.used",
            static () => s_endpoints.Observe(static e => e.RingUsedBytes),
            unit: "By", description: "Ring bytes written and not yet read by the slowest reader, as each writer of this process sees them.");
        s_meter.CreateObservableUpDownCounter<long>("neobuffer.endpoints.open",
            static () => s_endpoints.Observe(static _ => 1),
            unit: "{endpoint}", description: "Writers, readers and subscribers open in this process.");
    }

    /// <summary>Starts reporting <paramref name="endpoint"/>; called once it has opened.</summary>
    public static void Track(EndpointMetrics endpoint) => s_endpoints.Add(endpoint);

    /// <summary>Stops reporting <paramref name="endpoint"/>; called on dispose, before its segment is unmapped.</summary>
    public static void Untrack(EndpointMetrics endpoint) => s_endpoints.Remove(endpoint);
}
