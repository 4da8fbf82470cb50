using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
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

    private SubscriberProcess(string role, Process process)
    {
        Role = role;
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine(e.Data);
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Role { get; }

    /// <summary>Completes when the subscriber has opened the channel; faults if it exits first.</summary>
    public Task Subscribed => _subscribed.Task;

    public RunResult? Result { get; private set; }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

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

    /// <summary>Waits for the subscriber to exit; past <paramref name="timeout"/>, kills it.</summary>
    public void WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Console.Error.WriteLine($"{Role} did not exit within {timeout.TotalSeconds:F0} s: killing it");
            _process.Kill();
        }

        _process.WaitForExit(); // and let the output readers drain
    }

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
