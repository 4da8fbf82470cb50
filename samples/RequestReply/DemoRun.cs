using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

/// <summary>
/// The no-argument mode: a server in this process and four client processes (this program again, as
/// <c>client NAME --requests N</c>), then one summary of requests/s and round-trip percentiles.
/// </summary>
internal static class DemoRun
{
    private const int Clients = 4;

    public static async Task<int> RunAsync(int requestsPerClient, CancellationToken stop)
    {
        string name = $"request-reply-{Environment.ProcessId}";
        using var serving = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> server = ServerRole.RunAsync(name, ready.SetResult, serving.Token);
        await Task.WhenAny(ready.Task, server);
        if (server.IsCompleted)
        {
            return await server;
        }

        var clients = Enumerable.Range(0, Clients).Select(_ => StartClient(name, requestsPerClient)).ToList();
        try
        {
            var results = new List<(int Count, double Seconds, double P50, double P99)>();
            foreach (Process client in clients)
            {
                string output = await client.StandardOutput.ReadToEndAsync(stop);
                string error = await client.StandardError.ReadToEndAsync(stop);
                await client.WaitForExitAsync(stop);
                if (client.ExitCode != 0)
                {
                    return SampleExit.Print(SampleExit.Failed, $"demo: a client (pid {client.Id}) failed with exit code {client.ExitCode}: {error.Trim()}");
                }

                string[] words = output.Split('\n').Single(l => l.StartsWith("result ", StringComparison.Ordinal)).Split(' ');
                results.Add((int.Parse(words[1], CultureInfo.InvariantCulture), double.Parse(words[2], CultureInfo.InvariantCulture),
                    double.Parse(words[3], CultureInfo.InvariantCulture), double.Parse(words[4], CultureInfo.InvariantCulture)));
            }

            double rate = results.Sum(r => r.Count) / results.Max(r => r.Seconds);
            double[] p50s = results.Select(r => r.P50).Order().ToArray();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Clients} clients x {requestsPerClient} requests: {rate:N0} requests/s; round trip p50 {p50s[p50s.Length / 2]:F1} us (median of the clients'), p99 {results.Max(r => r.P99):F1} us (the worst client's)"));
            return SampleExit.Done;
        }
        finally
        {
            foreach (Process client in clients)
            {
                if (!client.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    client.Kill();
                }

                client.Dispose();
            }

            serving.Cancel();
            await server;
        }
    }

    private static Process StartClient(string name, int requests)
    {
        // Run as an apphost (dotnet run) the process path is this program; run as "dotnet RequestReply.dll" it is the host.
        string host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (string arg in new[] { "client", name, "--requests", requests.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }
}
