using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace TwoHosts;

/// <summary>
/// Runs the four roles as processes: host A (produce, bridge-out) in one NEOBUFFER_DIR, host B (bridge-in, subscribe)
/// in another, so nothing but NATS joins them. Each run gets a subject and consumer of its own.
/// </summary>
internal static class Demo
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(120);

    public static int Run(Options options, CancellationToken stop)
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        options.Subject = $"{options.Subject}.{run}";
        options.Consumer = $"{options.Consumer}-{run}";
        string hostA = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"twohosts-a-{run}")).FullName;
        string hostB = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"twohosts-b-{run}")).FullName;
        Console.WriteLine($"host A: NEOBUFFER_DIR={hostA}\nhost B: NEOBUFFER_DIR={hostB}\nNATS: {options.Url}, subject {options.Subject}, {options.Mode} mode");
        var roles = new List<Role>();
        try
        {
            // Receivers first, so that in core mode (which keeps nothing for absent subscribers) nothing is lost.
            foreach ((string verb, string dir) in new[] { ("bridge-in", hostB), ("subscribe", hostB), ("bridge-out", hostA), ("produce", hostA) })
            {
                var role = Role.Start(verb, dir, options);
                roles.Add(role);
                if (!role.Ready.Wait(ReadyTimeout, stop))
                {
                    Console.Error.WriteLine($"demo: {verb} was not ready within {ReadyTimeout.TotalSeconds:F0} s");
                    return 1;
                }
            }

            bool ok = true;
            foreach (Role role in roles)
            {
                ok &= role.WaitForExit(RunTimeout) == 0;
            }

            Console.WriteLine(ok ? "demo: ok" : "demo: failed");
            return ok ? 0 : 1;
        }
        catch (AggregateException e) when (e.InnerException is InvalidOperationException exited)
        {
            Console.Error.WriteLine($"demo: {exited.Message}");
            return 1;
        }
        finally
        {
            foreach (Role role in roles)
            {
                role.Dispose();
            }

            Directory.Delete(hostA, recursive: true);
            Directory.Delete(hostB, recursive: true);
        }
    }

    private sealed class Role : IDisposable
    {
        private readonly string _verb;
        private readonly Process _process;
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private Role(string verb, Process process)
        {
            _verb = verb;
            _process = process;
            _process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    _ready.TrySetException(new InvalidOperationException($"{_verb} exited before it was ready"));
                }
                else if (e.Data == "ready")
                {
                    _ready.TrySetResult();
                }
                else
                {
                    Console.WriteLine(e.Data);
                }
            };
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

        public Task Ready => _ready.Task;

        public static Role Start(string verb, string neoBufferDir, Options options)
        {
            // Under "dotnet run" the process path is this program's apphost; under "dotnet TwoHosts.dll" it is the
            // dotnet host, which needs the program's dll as its first argument.
            string self = Environment.ProcessPath!;
            var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            }

            start.ArgumentList.Add(verb);
            foreach (string argument in options.Arguments())
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment["NEOBUFFER_DIR"] = neoBufferDir;
            return new Role(verb, Process.Start(start)!);
        }

        public int WaitForExit(TimeSpan timeout)
        {
            if (!_process.WaitForExit(timeout))
            {
                Console.Error.WriteLine($"demo: {_verb} did not finish within {timeout.TotalSeconds:F0} s: killing it");
                _process.Kill();
            }

            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit();
            }

            _process.Dispose();
        }
    }
}
