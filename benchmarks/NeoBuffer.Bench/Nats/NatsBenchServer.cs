using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace NeoBuffer.Bench.Nats;

/// <summary>A nats-server the <c>nats</c> verb starts for itself on a free loopback port (JetStream on, store in a temp dir) and kills at the end.</summary>
internal sealed class NatsBenchServer : IDisposable
{
    private readonly Process _process;
    private readonly string _store;

    private NatsBenchServer(Process process, string store, int port)
    {
        _process = process;
        _store = store;
        Url = $"nats://127.0.0.1:{port}";
    }

    public string Url { get; }

    public static NatsBenchServer Start()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        string store = Directory.CreateTempSubdirectory("neobuffer-bench-nats-").FullName;
        // The default max_payload (1 MB) would refuse a 1 MiB record with the bridge's headers; 8 MB takes it.
        string config = Path.Combine(store, "bench.conf");
        File.WriteAllText(config, "max_payload: 8MB\n");
        var start = new ProcessStartInfo("nats-server") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { "-c", config, "-a", "127.0.0.1", "-p", port.ToString(), "-js", "-sd", store })
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("nats-server is not installed (apt-get install -y nats-server), and no --url was given.", e);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("nats-server exited before it was ready."));
            }
            else if (e.Data.Contains("Server is ready", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var server = new NatsBenchServer(process, store, port);
        try
        {
            ready.Task.Wait(TimeSpan.FromSeconds(15));
            if (!ready.Task.IsCompletedSuccessfully)
            {
                throw new TimeoutException("nats-server was not ready within 15 s.");
            }
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
        Directory.Delete(_store, recursive: true);
    }
}
