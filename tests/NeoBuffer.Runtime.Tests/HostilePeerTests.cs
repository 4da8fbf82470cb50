using System;
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
        await Task.Run(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                rounds++;
                string name = $"{channel.Name}-{rounds}";
                try
                {
                    SharedChannelOptions options = channel.Options(capacity: 1 << 14, maxMessageSize: 512);
                    options.Directory = arena;
                    options.SpinCount = 0;
                    using SharedChannelWriter writer = SharedChannel.CreateWriter(name, options);
                    using SharedChannelReader reader = SharedChannel.OpenReader(name, options);
                    for (long sequence = 0; sequence < 5000; sequence++)
                    {
                        WriteClaim claim = writer.Claim(SequencedRecord.LengthOf(sequence, 512), TimeSpan.FromMilliseconds(200));
                        SequencedRecord.Fill(claim.Payload, sequence);
                        claim.Commit();
                        if (reader.WaitToRead(TimeSpan.FromMilliseconds(200)) && reader.TryRead(out ReadLease lease))
                        {
                            using (lease)
                            {
                                // The ring cannot know a payload byte was changed; the application's checksum can.
                                long found = lease.Length >= 8 ? BitConverter.ToInt64(lease.Payload) : -1;
                                if (SequencedRecord.Verify(lease.Payload, found, 512) is null)
                                {
                                    reads++;
                                }
                                else
                                {
                                    checksumFailures++;
                                }
                            }
                        }
                    }
                }
                catch (Exception e) when (e is ChannelCorruptedException or ChannelClosedException or TimeoutException or
                                              MessageFormatException or ChannelFormatException or ChannelNotFoundException or ChannelRoleTakenException)
                {
                    documentedErrors++;
                }
            }
        });

        Assert.Equal(0, await hostile.ExitCodeAsync(TimeSpan.FromSeconds(60)));
        Assert.True(reads > 0, $"nothing was read intact in {rounds} rounds");
        Assert.True(documentedErrors > 0, $"the hostile writer never hit anything that mattered ({hostile.Output.Trim()}): the test tested nothing");
    }
}
