using System;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A separate process writes random bytes over live segments while this process writes and reads through them. Every
/// operation either works or throws one of the documented exceptions within a bound: no AccessViolation (it would take
/// this test process down), no out-of-bounds read, no wait that outlives its timeout.
/// </summary>
public sealed class HostilePeerTests
{
    private const int Messages = 5000;

    [Fact]
    public async Task Readers_and_writers_survive_a_peer_scribbling_over_the_segment()
    {
        double seconds = TestScale.Full ? 60 : 3;
        // A directory of its own: the scribbler attacks every segment it finds there, and other tests run in parallel.
        using var channel = new TestChannel("hostile");
        string arena = System.IO.Path.Combine(channel.Directory, "hostile-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(arena);
        using ChildProcess hostile = ChildProcess.Start("scribble", arena, seconds.ToString(), "12345");
        Assert.Equal("scribbling", await hostile.FirstLineAsync(TimeSpan.FromSeconds(30)));

        long reads = 0, checksumFailures = 0, documentedErrors = 0, rounds = 0;
        Task attacked = Task.Factory.StartNew(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                rounds++;
                try
                {
                    SharedChannelOptions options = channel.Options(capacity: 1 << 14, maxMessageSize: 512);
                    options.Directory = arena;
                    options.SpinCount = 0;
                    (long intact, long broken) = Exchange($"{channel.Name}-{rounds}", options, TimeSpan.FromMilliseconds(200));
                    reads += intact;
                    checksumFailures += broken;
                }
                catch (Exception e) when (e is ChannelCorruptedException or ChannelClosedException or TimeoutException or
                                              MessageFormatException or ChannelFormatException or ChannelNotFoundException or ChannelRoleTakenException)
                {
                    documentedErrors++;
                }

                // The same exchange where no peer scribbles (the scribbler sees only the arena): every record arrives
                // intact and nothing is reported. A reader that reports corruption on valid data, or hands out bytes the
                // writer did not write, would hide among the attacked rounds' failures; here it fails the test.
                SharedChannelOptions control = channel.Options(capacity: 1 << 14, maxMessageSize: 512);
                control.SpinCount = 0;
                (long controlIntact, long controlBroken) = Exchange($"{channel.Name}-control-{rounds}", control, TimeSpan.FromSeconds(20));
                Assert.Equal(0, controlBroken);
                Assert.Equal(Messages, controlIntact);
            }
        }, TaskCreationOptions.LongRunning);

        // Bounded: a read or write that hangs on scribbled state fails the test (its endpoints are the task's own, so
        // nothing is unmapped under it).
        await BoundedWork.Within(attacked, TimeSpan.FromSeconds(seconds + 120), "the rounds against the scribbler");
        Assert.Equal(0, await hostile.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.True(reads > 0, $"nothing was read intact in {rounds} rounds");
        Assert.True(documentedErrors > 0, $"the hostile writer never hit anything that mattered ({hostile.Output.Trim()}): the test tested nothing");

        // A record fails its checksum only if a scribble landed in it: never more failures than scribbles.
        Match writes = Regex.Match(hostile.Output, @"writes=(\d+)");
        Assert.True(writes.Success, "the scribbler did not report its writes: " + hostile.Output);
        Assert.True(checksumFailures <= long.Parse(writes.Groups[1].Value),
            $"{checksumFailures} records failed their checksum but the scribbler wrote only {writes.Groups[1].Value} times: the ring hands out bytes the writer did not write");
    }

    /// <summary>Writes and reads back <see cref="Messages"/> records in lockstep; returns how many arrived intact and how many failed their checksum.</summary>
    private static (long Intact, long Broken) Exchange(string name, SharedChannelOptions options, TimeSpan wait)
    {
        long intact = 0, broken = 0;
        using SharedChannelWriter writer = SharedChannel.CreateWriter(name, options);
        using SharedChannelReader reader = SharedChannel.OpenReader(name, options);
        for (long sequence = 0; sequence < Messages; sequence++)
        {
            WriteClaim claim = writer.Claim(SequencedRecord.LengthOf(sequence, 512), wait);
            SequencedRecord.Fill(claim.Payload, sequence);
            claim.Commit();
            if (reader.WaitToRead(wait) && reader.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    // The ring cannot know a payload byte was changed; the application's checksum can.
                    long found = lease.Length >= 8 ? BitConverter.ToInt64(lease.Payload) : -1;
                    if (SequencedRecord.Verify(lease.Payload, found, 512) is null)
                    {
                        intact++;
                    }
                    else
                    {
                        broken++;
                    }
                }
            }
        }

        return (intact, broken);
    }
}
