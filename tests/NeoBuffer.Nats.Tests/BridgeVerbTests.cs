using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// <c>neobuffer bridge forward|receive</c> as real child processes between two directories ("hosts") over a real
/// nats-server: a typed channel crosses without the tool knowing its .NET type, the headers carry the stored schema's
/// fingerprint (the typed far side accepts every record), and another schema is refused.
/// </summary>
public sealed class BridgeVerbTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Fact]
    public async Task The_tool_carries_a_typed_channel_both_ways_by_its_stored_schema()
    {
        const int count = 500;
        string hostA = Directory.CreateTempSubdirectory("nats-verb-a-").FullName;
        string hostB = Directory.CreateTempSubdirectory("nats-verb-b-").FullName;
        string subject = Bridges.NewSubject("verb");
        string name = Bridges.NewName("verb");
        try
        {
            var near = new SharedChannelOptions { Directory = hostA };
            var far = new SharedChannelOptions { Directory = hostB };
            using SharedChannelReader<Reading> farReader = SharedChannel.CreateReader<Reading>(name, far);
            using var receive = SampleProcess.StartProgram("NeoBuffer.Cli.dll", null, "bridge", "receive", name, "--dir", hostB, "--url", _url, "--subject", subject);
            await receive.WaitForLineAsync($"receiving {subject} into {name}", Bridges.Bound);

            using SharedChannelWriter<Reading> nearWriter = SharedChannel.CreateWriter<Reading>(name, near);
            using var forward = SampleProcess.StartProgram("NeoBuffer.Cli.dll", null, "bridge", "forward", name, "--dir", hostA, "--url", _url, "--subject", subject);

            Task<System.Collections.Generic.List<long>> read = Task.Run(() => Bridges.ReadReadings(farReader));
            Bridges.WriteReadings(nearWriter, 1, count);
            nearWriter.Complete();

            Assert.Equal(Enumerable.Range(1, count).Select(i => (long)i), await read.WaitAsync(Bridges.Bound));
            Assert.Equal(0, forward.WaitForExit(Bridges.Bound));
            Assert.Equal(0, receive.WaitForExit(Bridges.Bound));
            Assert.Contains($"done: messages={count} ", forward.Output);
            Assert.Contains($"done: messages={count} bytes=", receive.Output);
            Assert.Contains("rejected=0 malformed=0", receive.Output);
        }
        finally
        {
            Directory.Delete(hostA, recursive: true);
            Directory.Delete(hostB, recursive: true);
        }
    }

    [Fact]
    public async Task A_raw_channel_forwarded_to_a_typed_one_is_refused_and_a_missing_channel_is_one_line()
    {
        string hostA = Directory.CreateTempSubdirectory("nats-verb-a-").FullName;
        string hostB = Directory.CreateTempSubdirectory("nats-verb-b-").FullName;
        string subject = Bridges.NewSubject("verbraw");
        string name = Bridges.NewName("verbraw");
        try
        {
            using var missing = SampleProcess.StartProgram("NeoBuffer.Cli.dll", null, "bridge", "forward", "nosuch", "--dir", hostA, "--url", _url, "--subject", subject);
            Assert.Equal(1, missing.WaitForExit(Bridges.Bound));
            Assert.Equal("neobuffer: No channel 'nosuch'", missing.Output.Split('\n').Single(l => l.StartsWith("neobuffer:", StringComparison.Ordinal))[..30]);

            using SharedChannelReader<Reading> farReader = SharedChannel.CreateReader<Reading>(name, new SharedChannelOptions { Directory = hostB });
            using var receive = SampleProcess.StartProgram("NeoBuffer.Cli.dll", null, "bridge", "receive", name, "--dir", hostB, "--url", _url, "--subject", subject);
            await receive.WaitForLineAsync($"receiving {subject} into {name}", Bridges.Bound);

            using SharedChannelWriter rawWriter = SharedChannel.CreateWriter(name, new SharedChannelOptions { Directory = hostA });
            using var forward = SampleProcess.StartProgram("NeoBuffer.Cli.dll", null, "bridge", "forward", name, "--dir", hostA, "--url", _url, "--subject", subject);
            rawWriter.Write(new byte[64]);
            rawWriter.Write(new byte[64]);
            rawWriter.Complete();

            Assert.Equal(0, forward.WaitForExit(Bridges.Bound));
            Assert.Equal(0, receive.WaitForExit(Bridges.Bound));
            Assert.Contains("done: messages=0 bytes=0 rejected=2 ", receive.Output);
            Assert.False(farReader.TryLease(out _));
            await farReader.Completion.WaitAsync(Bridges.Bound);
        }
        finally
        {
            Directory.Delete(hostA, recursive: true);
            Directory.Delete(hostB, recursive: true);
        }
    }
}
