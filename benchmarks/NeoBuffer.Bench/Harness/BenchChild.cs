using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text;
using System.Threading.Tasks;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// This program started again as a child process (<c>NeoBuffer.Bench child VERB ARGS</c>), so every measurement has a
/// real peer process. The child's standard input stays open while the parent lives; the child exits when it closes
/// (see <see cref="ParentWatch"/>), so a parent that dies never leaves a child spinning. Disposing kills a child that is
/// still running.
/// </summary>
internal sealed class BenchChild : IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource<string> _firstLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private BenchChild(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => _firstLine.TrySetResult(e.Data ?? string.Empty);
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

    /// <summary>Starts <c>child <paramref name="verb"/> <paramref name="args"/></c> and waits until it prints "ready".</summary>
    public static BenchChild Start(string verb, params object[] args)
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

        var child = new BenchChild(Process.Start(start) ?? throw new InvalidOperationException($"Could not start the '{verb}' child."));
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

    private void Kill()
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
