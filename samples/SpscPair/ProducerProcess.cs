using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;

/// <summary>
/// The producer child of <c>SpscPair both</c>: this program started again as <c>produce NAME</c>. Its standard output
/// is passed through; its standard error is kept, so that this process alone prints the one line a failure gets.
/// Disposing it makes sure it is gone: a child never outlives the consumer that started it.
/// </summary>
internal sealed class ProducerProcess : IDisposable
{
    private static readonly TimeSpan s_exitGrace = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private string? _lastError;

    private ProducerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.WriteLine(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) => _lastError = e.Data ?? _lastError;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Null while it runs or once it succeeded; else what went wrong, in its own words when it said any.</summary>
    public string? Failure
    {
        get
        {
            if (!_process.HasExited || _process.ExitCode == 0)
            {
                return null;
            }

            _process.WaitForExit(); // its standard error read to the end
            return $"the producer (pid {_process.Id}) failed with exit code {_process.ExitCode}: {_lastError ?? "it printed nothing"}";
        }
    }

    public static ProducerProcess Start(string name)
    {
        // Run as an apphost (dotnet run) the process path is this program; run as "dotnet SpscPair.dll" it is the host.
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        start.ArgumentList.Add("produce");
        start.ArgumentList.Add(name);
        return new ProducerProcess(Process.Start(start)!);
    }

    /// <summary>
    /// Waits for the child to exit. The consumer has detached by then, so a producer still streaming fails at its
    /// next wait for room, and one not yet attached finds no channel: either way it exits within moments. Only one
    /// that is stuck is killed, after <see cref="s_exitGrace"/>.
    /// </summary>
    public void Dispose()
    {
        if (!_process.WaitForExit(s_exitGrace))
        {
            _process.Kill();
        }

        _process.WaitForExit();
        _process.Dispose();
    }
}
