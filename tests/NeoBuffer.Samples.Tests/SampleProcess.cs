using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// A sample program running as a child process (<c>dotnet NAME.dll ARGS</c>, the dll copied beside the tests by the
/// project reference), its segments in <paramref name="segmentDirectory"/> (NEOBUFFER_DIR). Every line it prints is
/// kept, so a test can wait for a line instead of sleeping.
/// </summary>
internal sealed partial class SampleProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = new();
    private readonly List<string> _stderr = new();
    private TaskCompletionSource _changed = NewSignal();

    private SampleProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the child wrote to its standard input; close it to send end-of-file.</summary>
    public StreamWriter Input => _process.StandardInput;

    public IReadOnlyList<string> OutputLines => Snapshot(_stdout);

    public IReadOnlyList<string> ErrorLines => Snapshot(_stderr);

    /// <summary>Both streams, for assertion messages.</summary>
    public string Transcript =>
        string.Join(Environment.NewLine, OutputLines.Concat(ErrorLines.Select(line => "stderr: " + line)));

    public static SampleProcess Start(string sample, string segmentDirectory, params string[] args)
    {
        // Started through env(1) to reset SIGINT to its default, as a terminal would: a test run started as a background
        // job inherits SIGINT ignored, and children keep an ignored signal, so Ctrl+C could not be tested. env execs
        // dotnet, so the pid is the sample's.
        var start = new ProcessStartInfo("env")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--default-signal=INT");
        start.ArgumentList.Add(DotnetExecutable());
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, sample + ".dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NEOBUFFER_DIR"] = segmentDirectory;
        return new SampleProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start {sample}."));
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the child's standard output and error lines.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<string>, IReadOnlyList<string>, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_stdout)
            {
                if (condition(_stdout, _stderr))
                {
                    return;
                }

                changed = _changed.Task;
            }

            TimeSpan left = timeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || await Task.WhenAny(changed, Task.Delay(left)) != changed)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:F0} s for {what}. The child printed:{Environment.NewLine}{Transcript}");
            }
        }
    }

    /// <summary>Waits for a line of standard output or error that starts with <paramref name="prefix"/>.</summary>
    public Task WaitForLineAsync(string prefix, TimeSpan timeout) =>
        WaitUntilAsync((stdout, stderr) => stdout.Concat(stderr).Any(line => line.StartsWith(prefix, StringComparison.Ordinal)), timeout, $"a line starting '{prefix}'");

    /// <summary>Waits for the child to exit and returns its exit code; kills it and fails past <paramref name="timeout"/>.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The child did not exit within {timeout.TotalSeconds:F0} s. It printed:{Environment.NewLine}{Transcript}");
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Sends <paramref name="signal"/> (e.g. SIGINT, what Ctrl+C sends) to the child alone.</summary>
    public void Signal(int signal) => Signal(_process.Id, signal);

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/> (e.g. a child the sample started).</summary>
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnLine(List<string> lines, string? line)
    {
        TaskCompletionSource changed;
        lock (_stdout)
        {
            if (line is not null)
            {
                lines.Add(line);
            }

            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    private List<string> Snapshot(List<string> lines)
    {
        lock (_stdout)
        {
            return lines.ToList();
        }
    }

    private static string DotnetExecutable()
    {
        string? fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
