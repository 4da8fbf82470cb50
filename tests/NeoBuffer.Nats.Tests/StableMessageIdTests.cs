using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// JetStream message ids survive the outbound bridge's restart: a bridge process SIGKILLed after the stream stored a
/// record but before it released it from the ring (the <c>hold.releasing</c> point) is restarted under the same
/// bridge name; it republishes that record under the same id, and the stream keeps exactly one copy of every record.
/// With a window of publishes in flight (the records are all written before the bridge starts, so it is full), the
/// kill leaves the stream holding records past the one being released, none of them released: the restart publishes
/// all of them again, and the stream drops every one.
/// </summary>
public sealed class StableMessageIdTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Theory]
    [InlineData(1)]
    [InlineData(256)]
    public async Task A_bridge_killed_between_publish_and_release_and_restarted_leaves_no_duplicate_in_the_stream(int maxInFlight)
    {
        const int count = 600;
        const int killAt = 250;
        string id = Guid.NewGuid().ToString("N")[..8];
        string subject = $"stable.{id}", stream = $"STABLE{id}", name = Bridges.NewName("stable");
        string hostA = Directory.CreateTempSubdirectory("nats-stable-").FullName;
        await using NatsConnection nats = Bridges.Connect(_url);
        using var cts = new CancellationTokenSource(Bridges.Bound * 3); // two bridge processes, one after the other, and the stream read
        try
        {
            await NatsBridge.CreateStreamAsync(nats, stream, [subject], cancellationToken: cts.Token);
            using SharedChannelWriter<Reading> writer = SharedChannel.CreateWriter<Reading>(name, new SharedChannelOptions { Directory = hostA, Capacity = 1 << 20 });
            Bridges.WriteReadings(writer, 1, count, cts.Token);
            writer.Complete();
            string[] args = ["forward", name, "--dir", hostA, "--url", _url, "--subject", subject, "--mode", "jetstream", "--stream", stream, "--bridge-id", "host-a", "--max-in-flight", maxInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture)];

            using (var killed = SampleProcess.StartProgramKilledAt("NeoBuffer.Cli.dll", null, $"hold.releasing@{killAt}", "bridge", args))
            {
                int code = killed.WaitForExit(Bridges.Bound);
                Assert.True(code == 137 || code == -9, $"the bridge was to SIGKILL itself at its {killAt}th release, exit code {code}:\n{killed.Output}");
            }

            var js = new NatsJSContext(nats);
            StreamInfo afterKill = (await js.GetStreamAsync(stream, cancellationToken: cts.Token)).Info;
            long stored = (long)afterKill.State.Messages;
            if (maxInFlight == 1)
            {
                Assert.Equal(killAt, stored); // the killAt-th is stored, and still held in the ring
            }
            else
            {
                // More than the one being released was stored: the window was in flight when the bridge died.
                Assert.True(stored > killAt && stored < killAt + maxInFlight, $"{stored} records stored when killed at release {killAt}");
            }

            using var restarted = SampleProcess.StartProgram("NeoBuffer.Cli.dll", null, "bridge", args);
            Assert.True(restarted.WaitForExit(Bridges.Bound) == 0, restarted.Output);
            Assert.Contains($"done: messages={count - killAt + 1} ", restarted.Output);

            // Every record stored and not released came again and was dropped. The server may still have been storing
            // what the killed bridge had sent when the count above was taken, so that count is a floor.
            long duplicates = long.Parse(restarted.Output.Split(" duplicates=")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(duplicates >= stored - killAt + 1 && duplicates <= maxInFlight, $"{duplicates} duplicates after {stored} were stored:\n{restarted.Output}");

            StreamInfo info = (await js.GetStreamAsync(stream, cancellationToken: cts.Token)).Info;
            Assert.Equal(count + 1, (long)info.State.Messages); // every record once, and the end marker

            var seen = new bool[count + 1];
            INatsJSConsumer reader = await js.CreateOrUpdateConsumerAsync(stream, new ConsumerConfig { AckPolicy = ConsumerConfigAckPolicy.None }, cts.Token);
            int records = 0;
            await foreach (NatsJSMsg<byte[]> msg in reader.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = count + 1 }, cancellationToken: cts.Token))
            {
                if (Bridges.RecordOf(msg.Data) is { } data)
                {
                    long sequence = new Reading.View(data).Sequence;
                    Assert.False(seen[sequence], $"record {sequence} is in the stream twice");
                    seen[sequence] = true;
                    records++;
                }
            }

            Assert.Equal(count, records);
        }
        finally
        {
            SharedChannel.RemoveStale(hostA);
            Directory.Delete(hostA, recursive: true);
        }
    }
}
