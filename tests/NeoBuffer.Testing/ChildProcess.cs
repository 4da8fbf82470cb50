using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer.Testing;

/// <summary>
/// A real child process running a command of a <see cref="ChildProgram"/> (by default the test host): the one harness
/// for every process the tests, the soak runs and the benchmarks start. Every line the child prints is kept (children
/// print "ready" once set up, then markers and results); its standard error is kept for failure messages. The child's
/// standard input stays open while this process lives: a child that watches it (<see cref="ParentWatch"/>) exits when
/// it closes, so a run that dies never leaves a child spinning, and the same pipe carries <see cref="Go"/>. Disposing
/// kills a child that is still running.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    /// <summary>The byte <see cref="Go"/> writes to the child's standard input.</summary>
    public const byte GoByte = (byte)'g';

    /// <summary>The exit code .NET reports for a child that died by SIGKILL (128 + 9): ours, or its own at a protocol point.</summary>
    public const int SigKillExitCode = 137;

    private const string KillAtVariable = "NEOBUFFER_KILL_AT";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _command;
    private readonly List<string> _lines = [];
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private ChildProcess(Process process, string command)
    {
        _process = process;
        _command = command;
        Id = process.Id;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_lines)
                {
                    _lines.Add(e.Data);
                    Monitor.PulseAll(_lines);
                }
            }

            _firstLine.TrySetResult(e.Data ?? string.Empty);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The child's pid.</summary>
    public int Id { get; }

    /// <summary>Whether the child has exited (or was killed).</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code of a child that has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Whether the child has exited by SIGKILL.</summary>
    public bool DiedBySigKill => _process.HasExited && _process.ExitCode == SigKillExitCode;

    /// <summary>Every line the child printed on standard output so far.</summary>
    public string[] Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>The last line the child printed, or null.</summary>
    public string? LastLine
    {
        get
        {
            lock (_lines)
            {
                return _lines.Count == 0 ? null : _lines[^1];
            }
        }
    }

    /// <summary>What the child wrote to standard error so far.</summary>
    public string ErrorOutput
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>Everything the child printed so far: its output, then its error output with each line marked.</summary>
    public string Output
    {
        get
        {
            var text = new StringBuilder();
            foreach (string line in Lines)
            {
                text.AppendLine(line);
            }

            foreach (string line in ErrorOutput.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries))
            {
                text.AppendLine("stderr: " + line);
            }

            return text.ToString();
        }
    }

    /// <summary>Starts <c>NeoBuffer.TestHost <paramref name="command"/> <paramref name="args"/></c>.</summary>
    public static ChildProcess Start(string command, params string[] args) => StartWith(null, command, args);

    /// <summary>Starts the test host with extra environment variables.</summary>
    public static ChildProcess StartWith(IReadOnlyDictionary<string, string>? environment, string command, params string[] args) =>
        Launch(ChildProgram.TestHost, environment, command, args);

    /// <summary>Starts a test host command and waits until it prints "ready".</summary>
    public static ChildProcess StartReady(string command, params object[] args) => StartKillingAt(null, command, args);

    /// <summary>
    /// Starts a test host command and waits until it prints "ready"; with <paramref name="killAt"/> (<c>point</c> or
    /// <c>point@N</c>) the runtime SIGKILLs the child itself there (docs/format.md, "Testing the protocol").
    /// </summary>
    public static ChildProcess StartKillingAt(string? killAt, string command, params object[] args) =>
        Ready(Launch(ChildProgram.TestHost, KillAt(killAt), command, args));

    /// <summary>Starts <paramref name="command"/> of <paramref name="program"/> and waits until it prints "ready".</summary>
    public static ChildProcess StartReady(ChildProgram program, string command, params object[] args) =>
        Ready(Launch(program, KillAt(null), command, args));

    /// <summary>
    /// Starts one child per argument list, all at once, and waits until every one prints "ready": the .NET start-up of
    /// each (a few hundred milliseconds) overlaps instead of adding up.
    /// </summary>
    public static ChildProcess[] StartAllReady(ChildProgram program, string command, IReadOnlyList<object[]> argumentLists)
    {
        var children = new List<ChildProcess>();
        try
        {
            foreach (object[] args in argumentLists)
            {
                children.Add(Launch(program, KillAt(null), command, args));
            }

            foreach (ChildProcess child in children)
            {
                child.WaitReady();
            }

            return children.ToArray();
        }
        catch
        {
            children.ForEach(child => child.Dispose());
            throw;
        }
    }

    /// <summary>The first line the child prints (children print "ready" once their channel is set up).</summary>
    public async Task<string> FirstLineAsync(TimeSpan timeout) => await _firstLine.Task.WaitAsync(timeout);

    /// <summary>Waits until the child prints <paramref name="line"/> (a whole line), or has printed it already.</summary>
    public async Task WaitForLineAsync(string line, TimeSpan timeout)
    {
        // The blocking wait runs on a pool thread; its own slice bounds it, so it never outlives the timeout by much.
        if (!await Task.Run(() => WaitForLine(line, timeout)))
        {
            throw new TimeoutException($"The child did not print '{line}' within {timeout}. Its output:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>Waits until the child prints a line equal to <paramref name="line"/> (or printed it already); false on timeout or exit.</summary>
    public bool WaitForLine(string line, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lines)
        {
            while (!_lines.Contains(line))
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || _process.HasExited)
                {
                    return _lines.Contains(line);
                }

                // Woken by every new line; the slice bounds how late an exit without that line is noticed.
                Monitor.Wait(_lines, (int)Math.Min(left, 100));
            }

            return true;
        }
    }

    /// <summary>Tells a child waiting in <see cref="ParentWatch.WaitForGo"/> to start.</summary>
    public void Go()
    {
        _process.StandardInput.BaseStream.WriteByte(GoByte);
        _process.StandardInput.BaseStream.Flush();
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

    /// <summary>Waits for the child to exit by itself; false if it is still running after <paramref name="timeout"/>.</summary>
    public bool WaitExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        _process.WaitForExit(); // drains the redirected streams, so LastLine is the real last line
        return true;
    }

    /// <summary>Waits for the child to finish its work; throws with its error output if it failed or hung.</summary>
    public void WaitSuccess(TimeSpan timeout)
    {
        if (!WaitExit(timeout))
        {
            Kill();
            throw new TimeoutException($"The child {Id} ({_command}) did not finish within {timeout}.{ErrorText()}");
        }

        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The child {Id} ({_command}) failed with exit code {_process.ExitCode}.{ErrorText()}");
        }
    }

    /// <summary>Throws, with the child's error output, when the child is no longer running.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"The child {Id} ({_command}) exited early with code {_process.ExitCode}.{ErrorText()}");
        }
    }

    /// <summary>Kills the child (and its children) with SIGKILL and waits until it is gone.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    /// <summary>Kills the child if it is still running.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // a run may replace a child early and dispose all it started at the end
        }

        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
    }

    // Never inherited: only the child a test means to kill at a point dies there.
    private static Dictionary<string, string> KillAt(string? point) => new() { [KillAtVariable] = point ?? string.Empty };

    private static ChildProcess Launch(ChildProgram program, IReadOnlyDictionary<string, string>? environment, string command, object[] args)
    {
        (string fileName, string[] prefix) = program.Resolve();
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string key, string value) in program.Environment.Concat(environment ?? new Dictionary<string, string>()))
        {
            if (value.Length == 0)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        foreach (string arg in prefix.Append(command).Concat(args.Select(arg => Convert.ToString(arg, CultureInfo.InvariantCulture)!)))
        {
            start.ArgumentList.Add(arg);
        }

        return new ChildProcess(Process.Start(start) ?? throw new InvalidOperationException($"Could not start the '{command}' child."), command);
    }

    private static ChildProcess Ready(ChildProcess child)
    {
        try
        {
            child.WaitReady();
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    private void WaitReady()
    {
        if (!_firstLine.Task.Wait(ReadyTimeout) || _firstLine.Task.Result != "ready")
        {
            string line = _firstLine.Task.IsCompleted ? _firstLine.Task.Result : "(nothing)";
            _process.WaitForExit(1000);
            throw new InvalidOperationException($"The '{_command}' child did not get ready: it printed '{line}'.{ErrorText()}");
        }
    }

    private string ErrorText()
    {
        lock (_errors)
        {
            return _errors.Length == 0 ? string.Empty : Environment.NewLine + _errors.ToString();
        }
    }
}
