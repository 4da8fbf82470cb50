using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TwoHosts;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace NeoBuffer.Nats.Tests;

/// <summary>The TwoHosts sample and its bridge processes, as real separate processes over a real nats-server.</summary>
public sealed class TwoHostsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private readonly string _url = fixture.Server.Url;

    [Theory]
    [InlineData("jetstream")]
    [InlineData("core")]
    public void The_demo_carries_every_message_from_host_A_to_host_B(string mode)
    {
        using var demo = SampleProcess.Start(null, "demo", "--url", _url, "--count", "3000", "--mode", mode, "--stream", "DEMO" + mode.ToUpperInvariant());
        int exit = demo.WaitForExit(TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, demo.Output);
        Assert.Contains("subscribe: received 3000 messages in order, none missing", demo.Output);
        Assert.Contains("demo: ok", demo.Output);
        Assert.DoesNotContain("   at ", demo.Output); // no stack trace
    }

    [Fact]
    public void A_documented_failure_is_one_line_and_a_non_zero_exit()
    {
        using var bridge = SampleProcess.Start(null, "bridge-in", "--url", "nats://127.0.0.1:1", "--channel", Bridges.NewName("refused"));
        int exit = bridge.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exit);
        Assert.Single(bridge.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("bridge-in: ", bridge.Output);
    }

    [Fact]
    public void A_bad_channel_name_is_one_line_and_exit_code_2_never_a_stack_trace()
    {
        using var subscriber = SampleProcess.Start(null, "subscribe", "--channel", "host-b/telemetry");
        int exit = subscriber.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.True(exit == 2, $"exit code {exit}: {subscriber.Output}");
        string line = Assert.Single(subscriber.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("subscribe: A channel name may hold only", line);
        Assert.DoesNotContain("   at ", subscriber.Output);
    }

    [Fact]
    public async Task A_peer_that_faults_the_channel_with_line_breaks_and_escapes_in_its_reason_forges_no_line()
    {
        // A writer of host B's channel (this process, in place of the inbound bridge) ends the stream with a reason
        // that tries to print a second, forged success line and to clear the subscriber's terminal.
        string hostB = Directory.CreateTempSubdirectory("nats-host-b-").FullName;
        try
        {
            using SharedChannelWriter<Telemetry> writer = SharedChannel.CreateWriter<Telemetry>("telemetry", new SharedChannelOptions { Directory = hostB });
            using var subscriber = SampleProcess.Start(hostB, "subscribe", "--count", "5");
            await subscriber.WaitForLineAsync("ready", Bridges.Bound);
            const string Forged = "subscribe: received 5 messages"; // a reason keeps 62 characters, its type name's included
            writer.Complete(new Exception($"x\n{Forged}\u001b[2J"));

            int exit = subscriber.WaitForExit(Bridges.Bound);
            Assert.True(exit == 1, $"exit code {exit}: {subscriber.Output}");
            string[] lines = subscriber.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.DoesNotContain(lines, line => line.StartsWith(Forged, StringComparison.Ordinal));
            Assert.DoesNotContain('\u001b', subscriber.Output);
            Assert.Contains(lines, line => line.StartsWith("subscribe: the stream ended with an error after 0 messages: ", StringComparison.Ordinal) && line.Contains(Forged));
        }
        finally
        {
            SharedChannel.RemoveStale(hostB);
            Directory.Delete(hostB, recursive: true);
        }
    }

    [Fact]
    public async Task An_outbound_bridge_killed_mid_flight_is_replaced_and_JetStream_mode_loses_nothing()
    {
        const int count = 6000;
        string hostA = Directory.CreateTempSubdirectory("nats-host-a-").FullName;
        string hostB = Directory.CreateTempSubdirectory("nats-host-b-").FullName;
        string id = Guid.NewGuid().ToString("N")[..8];
        string[] common = ["--url", _url, "--subject", $"kill.{id}", "--stream", $"KILL{id}", "--consumer", "b", "--count", count.ToString(), "--rate", "3000"];
        try
        {
            using var bridgeIn = SampleProcess.Start(hostB, "bridge-in", common);
            await bridgeIn.WaitForLineAsync("ready", Bridges.Bound);
            using SharedChannelReader<Telemetry> reader = SharedChannel.OpenReader<Telemetry>("telemetry", new SharedChannelOptions { Directory = hostB });

            using var firstBridgeOut = SampleProcess.Start(hostA, "bridge-out", common); // disposed (killed) even if the test fails early
            SampleProcess bridgeOut = firstBridgeOut;
            await bridgeOut.WaitForLineAsync("ready", Bridges.Bound);
            using var producer = SampleProcess.Start(hostA, "produce", common);

            var seen = new bool[count + 1];
            long distinct = 0, repeated = 0;
            void Read(long until)
            {
                while (distinct < until && reader.WaitToRead(Bridges.Bound))
                {
                    while (reader.TryLease(out MessageLease<Telemetry> lease))
                    {
                        using (lease)
                        {
                            long sequence = new Telemetry.View(lease).Sequence;
                            if (seen[sequence])
                            {
                                repeated++;
                            }
                            else
                            {
                                seen[sequence] = true;
                                distinct++;
                            }
                        }
                    }
                }
            }

            try
            {
                Read(until: 1000);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message} {distinct} arrived before the kill\nproducer: {producer.Output}\nbridge-out: {bridgeOut.Output}\nbridge-in: {bridgeIn.Output}");
            }

            bridgeOut.Kill(); // SIGKILL, mid-flight: the message it held stays in host A's ring
            bridgeOut.Dispose();
            // The hardest case: the producer has completed the channel and left, so nobody live is attached to it.
            Assert.Equal(0, producer.WaitForExit(Bridges.Bound));
            using var replacement = SampleProcess.Start(hostA, "bridge-out", common);
            try
            {
                Read(until: long.MaxValue);
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message} {distinct} of {count} arrived\nproducer: {producer.Output}\nreplacement: {replacement.Output}\nbridge-in: {bridgeIn.Output}");
            }

            Assert.True(distinct == count, $"{distinct} of {count} arrived ({repeated} repeated)\nproducer: {producer.Output}\nreplacement: {replacement.Output}\nbridge-in: {bridgeIn.Output}");
            Assert.Equal(0, replacement.WaitForExit(Bridges.Bound));
            Assert.Equal(0, bridgeIn.WaitForExit(Bridges.Bound));
        }
        finally
        {
            SharedChannel.RemoveStale(hostA);
            Directory.Delete(hostA, recursive: true);
            Directory.Delete(hostB, recursive: true);
        }
    }
}

/// <summary>A program copied beside the tests (TwoHosts, the neobuffer tool) as a child process, output captured, killed if left running.</summary>
internal sealed class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly System.Collections.Generic.List<(string Line, TaskCompletionSource Seen)> _awaited = new();
    private bool _disposed;

    private SampleProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static SampleProcess Start(string? neoBufferDir, string verb, params string[] args) => StartProgram("TwoHosts.dll", neoBufferDir, verb, args);

    /// <summary>Starts <paramref name="dll"/> (beside the tests) with <paramref name="verb"/> and <paramref name="args"/>.</summary>
    public static SampleProcess StartProgram(string dll, string? neoBufferDir, string verb, params string[] args) =>
        StartProgramKilledAt(dll, neoBufferDir, killAt: null, verb, args);

    /// <summary>As above; <paramref name="killAt"/> sets NEOBUFFER_KILL_AT, so the child SIGKILLs itself at that protocol point.</summary>
    public static SampleProcess StartProgramKilledAt(string dll, string? neoBufferDir, string? killAt, string verb, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        start.ArgumentList.Add(verb);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        if (neoBufferDir is not null)
        {
            start.Environment["NEOBUFFER_DIR"] = neoBufferDir;
        }

        if (killAt is not null)
        {
            start.Environment["NEOBUFFER_KILL_AT"] = killAt;
        }

        return new SampleProcess(Process.Start(start)!);
    }

    public async Task WaitForLineAsync(string line, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (Output.Split('\n').Any(l => l.TrimEnd('\r') == line))
            {
                return;
            }

            _awaited.Add((line, seen));
        }

        try
        {
            await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line '{line}' within {timeout.TotalSeconds} s; output so far:\n{Output}");
        }
    }

    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"the process did not exit within {timeout.TotalSeconds} s; output:\n{Output}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Kill();
        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            _awaited.RemoveAll(a =>
            {
                bool match = a.Line == line;
                if (match)
                {
                    a.Seen.TrySetResult();
                }

                return match;
            });
        }
    }
}
