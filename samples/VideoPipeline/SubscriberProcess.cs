using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace VideoPipeline;

/// <summary>
/// A subscriber: this same program started again with <c>--role ROLE --channel NAME</c>. Its standard output comes
/// through here: "ready" completes <see cref="Subscribed"/>, its result line is kept for the summary, and every other
/// line (the stats) is printed as it comes.
/// </summary>
internal sealed class SubscriberProcess
{
    private readonly Process _process;
    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _lastError;

    private SubscriberProcess(string role, Process process)
    {
        Role = role;
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        // A subscriber's failure line is shown with the rest of the run's output and kept for the pipeline's own one
        // line on standard error, which names every subscriber that failed.
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _lastError = e.Data;
                Console.WriteLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Role { get; }

    /// <summary>Completes when the subscriber has opened the channel; faults if it exits first.</summary>
    public Task Subscribed => _subscribed.Task;

    public RunResult? Result { get; private set; }

    /// <summary>How it ended, for the summary: "exit code N" or "killed by signal N" (the runtime reports a signal as 128 + N).</summary>
    public string Ending => _process.ExitCode > 128 ? $"killed by signal {_process.ExitCode - 128}" : $"exit code {_process.ExitCode}";

    /// <summary>Once it has exited: null when it succeeded, else what went wrong, in its own words when it said any.</summary>
    public string? Failure => _process.ExitCode == 0 ? null : _process.ExitCode > 128 || _lastError is null ? $"{Role} {Ending}" : _lastError;

    public static SubscriberProcess Start(string role, string channel)
    {
        // Under "dotnet run" (or as a published app) the process path is this program's apphost; under
        // "dotnet VideoPipeline.dll" it is the dotnet host, which needs the program's dll as its first argument.
        string self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string arg in new[] { "--role", role, "--channel", channel })
        {
            start.ArgumentList.Add(arg);
        }

        return new SubscriberProcess(role, Process.Start(start)!);
    }

    /// <summary>
    /// Waits up to <paramref name="grace"/> for the subscriber to exit (it does once it has read the end of the stream).
    /// Past that it is asked to stop with SIGTERM, which ends its loop; only one that ignores that too is killed. Either
    /// way it is gone when this returns, so no subscriber outlives the pipeline.
    /// </summary>
    public void Stop(TimeSpan grace)
    {
        if (!_process.WaitForExit(grace))
        {
            Console.WriteLine($"{Role} did not exit within {grace.TotalSeconds:F0} s: stopping it");
            if (Kill(_process.Id, SigTerm) != 0 || !_process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                _process.Kill();
            }
        }

        _process.WaitForExit(); // and let the output readers drain
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _subscribed.TrySetException(new InvalidOperationException($"The {Role} subscriber exited before it subscribed."));
        }
        else if (line == "ready")
        {
            _subscribed.TrySetResult();
        }
        else if (RunResult.TryParse(line) is RunResult result)
        {
            Result = result;
        }
        else
        {
            Console.WriteLine(line);
        }
    }
}
