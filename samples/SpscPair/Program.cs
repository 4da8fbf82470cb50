using System;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO;
using System.Runtime.Versioning;
using NeoBuffer;

[assembly: SupportedOSPlatform("linux")]

// A producer process and a consumer process over one SPSC channel.
//   dotnet run --project samples/SpscPair                  -> consumer here, producer started as a child process
//   dotnet run --project samples/SpscPair -- consume NAME  -> just the consumer (create the channel, wait for a producer)
//   dotnet run --project samples/SpscPair -- produce NAME  -> just the producer (open the channel and stream)
const long Messages = 2_000_000;
const int MessageBytes = 64;

string mode = args.Length > 0 ? args[0] : "both";
string name = args.Length > 1 ? args[1] : $"spsc-pair-{Environment.ProcessId}";

switch (mode)
{
    case "produce":
        Produce(name);
        return 0;
    case "consume":
        return Consume(name, startProducer: false);
    case "both":
        return Consume(name, startProducer: true);
    default:
        Console.Error.WriteLine("usage: SpscPair [both | consume NAME | produce NAME]");
        return 2;
}

static void Produce(string name)
{
    using SharedChannelWriter writer = SharedChannel.OpenWriter(name);
    Console.WriteLine($"[producer pid {Environment.ProcessId}] streaming {Messages:N0} messages of {MessageBytes} B into '{name}'");
    for (long sequence = 0; sequence < Messages; sequence++)
    {
        WriteClaim claim = writer.Claim(MessageBytes, TimeSpan.FromSeconds(30));
        BinaryPrimitives.WriteInt64LittleEndian(claim.Payload, sequence);
        BinaryPrimitives.WriteInt64LittleEndian(claim.Payload.Slice(8), Stopwatch.GetTimestamp());
        claim.Commit();
    }

    writer.Complete();
}

static int Consume(string name, bool startProducer)
{
    var options = new SharedChannelOptions { Capacity = 1 << 20 };
    using SharedChannelReader reader = SharedChannel.CreateReader(name, options);
    Console.WriteLine($"[consumer pid {Environment.ProcessId}] created channel '{name}' ({options.Capacity / 1024} KiB ring)");
    using Process? producer = startProducer ? StartSelf("produce", name) : null;

    long expected = 0;
    long latencyTicksSum = 0;
    Stopwatch? clock = null;
    while (reader.WaitToRead(TimeSpan.FromSeconds(60)))
    {
        clock ??= Stopwatch.StartNew(); // from the first message, so the producer's start-up is not counted
        while (reader.TryRead(out ReadLease lease))
        {
            using (lease)
            {
                long sequence = BinaryPrimitives.ReadInt64LittleEndian(lease.Payload);
                if (sequence != expected)
                {
                    Console.Error.WriteLine($"expected message {expected}, got {sequence}");
                    return 1;
                }

                latencyTicksSum += Stopwatch.GetTimestamp() - BinaryPrimitives.ReadInt64LittleEndian(lease.Payload.Slice(8));
            }

            expected++;
        }
    }

    double seconds = clock?.Elapsed.TotalSeconds ?? 0;
    producer?.WaitForExit();
    Console.WriteLine($"[consumer] received {expected:N0} messages in order in {seconds:F2} s: {expected / seconds / 1e6:F1} M msgs/s, " +
                      $"mean one-way latency {latencyTicksSum * 1e6 / Stopwatch.Frequency / Math.Max(expected, 1):F1} us");
    return expected == Messages ? 0 : 1;
}

static Process StartSelf(string mode, string name)
{
    // Run as an apphost (dotnet run) the process path is this program; run as "dotnet SpscPair.dll" it is the host.
    string host = Environment.ProcessPath!;
    var start = new ProcessStartInfo(host) { UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(host) == "dotnet")
    {
        start.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()!.Location);
    }

    start.ArgumentList.Add(mode);
    start.ArgumentList.Add(name);
    return Process.Start(start)!;
}
