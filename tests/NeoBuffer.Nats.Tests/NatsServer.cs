using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;

namespace NeoBuffer.Nats.Tests;

/// <summary>
/// A real nats-server child process with JetStream, on a free loopback port with a store directory of its own.
/// Disposing it kills the process and deletes the store: no server outlives its test.
/// </summary>
public sealed class NatsServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly HashSet<Process> Running = new();

    static NatsServer()
    {
        // A test run that ends without disposing (a crash, a cancelled run) still takes its servers with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            lock (Running)
            {
                foreach (Process process in Running)
                {
                    try
                    {
                        process.Kill();
                    }
                    catch (InvalidOperationException)
                    {
                        // Already gone.
                    }
                }
            }
        };
    }

    private readonly string _storeDirectory;
    private readonly bool _ownsStore;
    private readonly string[] _extraArguments;
    private readonly bool _jetStream;
    private readonly StringBuilder _log = new();
    private Process? _process;

    private NatsServer(int port, string storeDirectory, bool ownsStore, string[] extraArguments, bool jetStream)
    {
        Port = port;
        _jetStream = jetStream;
        _storeDirectory = storeDirectory;
        _ownsStore = ownsStore;
        _extraArguments = extraArguments;
    }

    /// <summary>The client port, on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The client URL.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    /// <summary>What the server logged so far, for assertion messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Whether the process is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts one server with JetStream.</summary>
    public static Task<NatsServer> StartAsync() => StartAsync(FreePort(), NewStore(), ownsStore: true, []);

    /// <summary>Starts one server without JetStream (core NATS only).</summary>
    public static Task<NatsServer> StartWithoutJetStreamAsync() => StartAsync(FreePort(), NewStore(), ownsStore: true, [], jetStream: false);

    /// <summary>Starts a cluster of <paramref name="count"/> servers with JetStream on loopback ports, routed to each other.</summary>
    public static async Task<NatsServer[]> StartClusterAsync(int count)
    {
        int[] clusterPorts = Enumerable.Range(0, count).Select(_ => FreePort()).ToArray();
        string routes = string.Join(",", clusterPorts.Select(p => $"nats-route://127.0.0.1:{p}"));
        var servers = new List<NatsServer>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                servers.Add(await StartAsync(FreePort(), NewStore(), ownsStore: true,
                    ["-n", $"n{i}", "--cluster_name", "neobuffer", "--cluster", $"nats://127.0.0.1:{clusterPorts[i]}", "--routes", routes]));
            }

            return servers.ToArray();
        }
        catch
        {
            foreach (NatsServer server in servers)
            {
                await server.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would; its store stays for <see cref="RestartAsync"/>.</summary>
    public void Kill()
    {
        Process? process = _process;
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            if (!process.WaitForExit(10_000))
            {
                throw new TimeoutException($"nats-server on port {Port} did not exit within 10 s of SIGKILL.");
            }
        }

        if (process is not null)
        {
            lock (Running)
            {
                Running.Remove(process);
            }
        }
    }

    /// <summary>Starts the server again on the same port and store.</summary>
    public Task RestartAsync()
    {
        Kill();
        _process?.Dispose();
        _process = null;
        return LaunchAsync();
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        finally
        {
            _process?.Dispose();
            _process = null;
            if (_ownsStore)
            {
                try
                {
                    Directory.Delete(_storeDirectory, recursive: true);
                }
                catch (IOException)
                {
                    // A store the killed server was still flushing: the temp directory is cleaned by the system.
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private static async Task<NatsServer> StartAsync(int port, string store, bool ownsStore, string[] extraArguments, bool jetStream = true)
    {
        var server = new NatsServer(port, store, ownsStore, extraArguments, jetStream);
        try
        {
            await server.LaunchAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private async Task LaunchAsync()
    {
        var start = new ProcessStartInfo("nats-server")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-a", "127.0.0.1", "-p", Port.ToString() }.Concat(_jetStream ? ["-js", "-sd", _storeDirectory] : []).Concat(_extraArguments))
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("nats-server did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("nats-server is not installed: apt-get install -y nats-server (.ci/run does this).", e);
        }

        _process = process;
        lock (Running)
        {
            Running.Add(process);
        }

        void OnLine(string? line)
        {
            if (line is null)
            {
                ready.TrySetException(new InvalidOperationException($"nats-server on port {Port} exited before it was ready:\n{Log}"));
                return;
            }

            lock (_log)
            {
                _log.AppendLine(line);
            }

            if (line.Contains("Server is ready", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                OnLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await ready.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"nats-server on port {Port} was not ready within {StartTimeout.TotalSeconds} s:\n{Log}");
        }
    }

    private static string NewStore()
    {
        string path = Path.Combine(Path.GetTempPath(), "neobuffer-nats-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
