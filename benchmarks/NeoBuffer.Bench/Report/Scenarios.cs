namespace NeoBuffer.Bench.Report;

/// <summary>The scenario and transport names of the result rows (stable: other tools read the JSON).</summary>
internal static class Scenarios
{
    public const string Throughput = "spsc-throughput";
    public const string RoundTrip = "spsc-roundtrip";
    public const string Broadcast = "broadcast-throughput";
    public const string Mpsc = "mpsc-throughput";
    public const string RoundTripParked = "roundtrip-parked";
    public const string IdleCpu = "idle-cpu";
    public const string Request = "request-roundtrip";

    public const string NeoBuffer = "neobuffer";
    public const string NeoBufferBatch = "neobuffer-batch";
    public const string NeoBufferLargeRing = "neobuffer-64mib-ring";
    public const string NeoBufferAsync = "neobuffer-async";
    public const string Uds = "uds";
    public const string Grpc = "grpc-uds";
    public const string Pipe = "pipe";
    public const string NetMq = "netmq";
    public const string Memcpy = "memcpy";
    public const string Handoff = "handoff";
    public const string RawReaders = "raw-readers";
    public const string PingPong = "pingpong";
    public const string Futex = "futex";
    public const string RawEcho = "raw-echo";
}
