using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// This program started again as a child process (<c>NeoBuffer.Bench child VERB ARGS</c>), so every measurement has a
/// real peer process. The child's standard input stays open while the parent lives; the child exits when it closes
/// (see <see cref="ParentWatch"/>), so a parent that dies never leaves a child spinning. Disposing kills a child that is
/// still running. Every line the child prints is kept: a child reports markers ("claimed") and results on its output.
/// </summary>
internal sealed class BenchChild : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private const string KillAtVariable = "NEOBUFFER_KILL_AT";

    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _lines = [];
    private int _disposed;

    private BenchChild(Process process)
    {
        _process = process;
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

    /// <summary>The byte <see cref="Go"/> writes to the child's standard input.</summary>
    public const byte GoByte = (byte)'g';

    /// <summary>The child's pid.</summary>
    public int Id { get; }

    /// <summary>Whether the child has exited (or was killed).</summary>
    public bool HasExited => _process.HasExited;

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

    /// <summary>Every line the child printed so far.</summary>
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

    /// <summary>Whether the child has exited by SIGKILL (see <see cref="SigKillExitCode"/>).</summary>
    public bool DiedBySigKill => _process.HasExited && _process.ExitCode == SigKillExitCode;

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

    /// <summary>The exit code .NET reports for a child that died by SIGKILL (128 + 9): ours, or its own at a protocol point.</summary>
    public const int SigKillExitCode = 137;

    /// <summary>Starts <c>child <paramref name="verb"/> <paramref name="args"/></c> and waits until it prints "ready".</summary>
    public static BenchChild Start(string verb, params object[] args) => StartKillingAt(null, verb, args);

    /// <summary>
    /// Like <see cref="Start"/>, with <c>NEOBUFFER_KILL_AT=<paramref name="killAt"/></c> (<c>point</c> or <c>point@N</c>) in the
    /// child's environment when not null: the runtime SIGKILLs the child itself there (docs/format.md, "Testing the protocol").
    /// </summary>
    public static BenchChild StartKillingAt(string? killAt, string verb, params object[] args)
    {
        BenchChild child = Launch(verb, args, killAt);
        try
        {
            child.WaitReady(verb);
            return child;
        }
        catch
        {
            child.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts one child per argument list, all at once, and waits until every one prints "ready": the .NET start-up of
    /// each (a few hundred milliseconds) overlaps instead of adding up.
    /// </summary>
    public static BenchChild[] StartAll(string verb, IReadOnlyList<object[]> argumentLists)
    {
        var children = new List<BenchChild>();
        try
        {
            foreach (object[] args in argumentLists)
            {
                children.Add(Launch(verb, args, killAt: null));
            }

            foreach (BenchChild child in children)
            {
                child.WaitReady(verb);
            }

            return children.ToArray();
        }
        catch
        {
            foreach (BenchChild child in children)
            {
                child.Dispose();
            }

            throw;
        }
    }

    private static BenchChild Launch(string verb, object[] args, string? killAt)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (CpuPinning.ChildCpuSetting is string cpu)
        {
            start.Environment[CpuPinning.ChildCpuVariable] = cpu;
        }

        // Never inherited: only the child a run means to kill at a point dies there.
        start.Environment.Remove(KillAtVariable);
        if (killAt is not null)
        {
            start.Environment[KillAtVariable] = killAt;
        }

        // Run the same way this process runs: through its apphost, or through the dotnet host with the entry assembly.
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
        start.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add("child");
        start.ArgumentList.Add(verb);
        foreach (object arg in args)
        {
            start.ArgumentList.Add(Convert.ToString(arg, System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return new BenchChild(Process.Start(start) ?? throw new InvalidOperationException($"Could not start the '{verb}' child."));
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

    /// <summary>The exit code of a child that has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Waits for the child to finish its work; throws with its error output if it failed or hung.</summary>
    public void WaitSuccess(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"The child {_process.Id} did not finish within {timeout}.{ErrorText()}");
        }

        _process.WaitForExit(); // drains the redirected streams
        if (_process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The child {_process.Id} failed with exit code {_process.ExitCode}.{ErrorText()}");
        }
    }

    /// <summary>Throws, with the child's error output, when the child is no longer running.</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            _process.WaitForExit();
            throw new InvalidOperationException($"The child {_process.Id} exited early with code {_process.ExitCode}.{ErrorText()}");
        }
    }

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

    private void WaitReady(string verb)
    {
        if (!_firstLine.Task.Wait(ReadyTimeout) || _firstLine.Task.Result != "ready")
        {
            string line = _firstLine.Task.IsCompleted ? _firstLine.Task.Result : "(nothing)";
            _process.WaitForExit(1000);
            throw new InvalidOperationException($"The '{verb}' child did not get ready: it printed '{line}'.{ErrorText()}");
        }
    }

    /// <summary>Kills the child with SIGKILL and waits until it is gone.</summary>
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

    private string ErrorText()
    {
        lock (_errors)
        {
            return _errors.Length == 0 ? string.Empty : Environment.NewLine + _errors.ToString();
        }
    }
}
