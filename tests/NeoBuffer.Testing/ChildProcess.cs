using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace NeoBuffer.Testing;

/// <summary>
/// A real child process running a command of <c>NeoBuffer.TestHost</c> (copied beside the test assembly by its
/// project reference). Standard output and error are captured for the assertion messages.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Generic.List<(string Line, TaskCompletionSource Seen)> _awaitedLines = new();

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _firstLine.TrySetResult(string.Empty);
                return;
            }

            lock (_output)
            {
                _output.AppendLine(e.Data);
                _awaitedLines.RemoveAll(awaited =>
                {
                    bool seen = awaited.Line == e.Data;
                    if (seen)
                    {
                        awaited.Seen.TrySetResult();
                    }

                    return seen;
                });
            }

            _firstLine.TrySetResult(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_output)
                {
                    _output.AppendLine("stderr: " + e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The child's pid.</summary>
    public int Id => _process.Id;

    /// <summary>Everything the child printed so far.</summary>
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

    /// <summary>Starts <c>NeoBuffer.TestHost <paramref name="command"/> <paramref name="args"/></c>.</summary>
    public static ChildProcess Start(string command, params string[] args) => StartWith(null, command, args);

    /// <summary>Starts the test host with extra environment variables.</summary>
    public static ChildProcess StartWith(System.Collections.Generic.IReadOnlyDictionary<string, string>? environment, string command, params string[] args)
    {
        string host = Path.Combine(AppContext.BaseDirectory, "NeoBuffer.TestHost.dll");
        if (!File.Exists(host))
        {
            throw new FileNotFoundException("The test host is not beside the test assembly: reference tests/NeoBuffer.TestHost from the test project.", host);
        }

        var start = new ProcessStartInfo(DotnetExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string key, string value) in environment ?? new System.Collections.Generic.Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        start.ArgumentList.Add(host);
        start.ArgumentList.Add(command);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start the test host."));
    }

    /// <summary>The first line the child prints (children print "ready" once their channel is set up).</summary>
    public async Task<string> FirstLineAsync(TimeSpan timeout) => await _firstLine.Task.WaitAsync(timeout);

    /// <summary>Waits until the child prints <paramref name="line"/> (a whole line), or has printed it already.</summary>
    public async Task WaitForLineAsync(string line, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Split(Environment.NewLine).Contains(line))
            {
                return;
            }

            _awaitedLines.Add((line, seen));
        }

        try
        {
            await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The child did not print '{line}' within {timeout}. Its output:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>Waits for the child to exit and returns its exit code; kills it and fails if it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"The child process did not exit within {timeout}. Its output:{Environment.NewLine}{Output}");
        }

        _process.WaitForExit(); // drains the redirected streams
        return _process.ExitCode;
    }

    /// <summary>Kills the child with SIGKILL (and its children).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Kills the child if it is still running.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
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
