using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace NeoBuffer.Cli.Tests;

/// <summary>A detached tmux session on a server of its own (its own socket), killed with its server on dispose.</summary>
internal sealed class Tmux : IAsyncDisposable
{
    private readonly string _socket = $"neobuffer-test-{Environment.ProcessId}-{Guid.NewGuid():N}";

    public static async Task<bool> IsInstalledAsync()
    {
        try
        {
            return (await RunAsync("tmux", "-V")).ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Starts <paramref name="command"/> in a 220x50 window; the pane stays after the command exits, so its last screen can be read.</summary>
    public async Task StartAsync(string command)
    {
        await CheckAsync("new-session", "-d", "-s", "top", "-x", "220", "-y", "50", command);
    }

    public async Task<string> ScreenAsync() => (await CheckAsync("capture-pane", "-p", "-t", "top")).Output;

    /// <summary>Reads the screen until <paramref name="ready"/> holds; fails with the last screen after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForScreenAsync(Func<string, bool> ready, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string screen = "";
        while (clock.Elapsed < timeout)
        {
            (int code, string output) = await RunAsync("tmux", "-L", _socket, "capture-pane", "-p", "-t", "top");
            if (code != 0)
            {
                throw new InvalidOperationException($"the tmux session ended (top exited); its last screen was:\n{screen}");
            }

            screen = output;
            if (ready(screen))
            {
                return screen;
            }

            await Task.Delay(100); // polling a screen: nothing signals a redraw
        }

        throw new TimeoutException($"the screen did not show what was expected in {timeout.TotalSeconds} s; it shows:\n{screen}");
    }

    public Task SendKeysAsync(string keys) => CheckAsync("send-keys", "-t", "top", keys);

    /// <summary>Waits for the session to end (its command exited).</summary>
    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if ((await RunAsync("tmux", "-L", _socket, "has-session", "-t", "top")).ExitCode != 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the command in tmux did not exit within {timeout.TotalSeconds} s; the screen:\n{await ScreenAsync()}");
    }

    public async ValueTask DisposeAsync() => await RunAsync("tmux", "-L", _socket, "kill-server");

    private async Task<(int ExitCode, string Output)> CheckAsync(params string[] args)
    {
        string[] all = ["-L", _socket, .. args];
        (int code, string output) = await RunAsync("tmux", all);
        if (code != 0)
        {
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed ({code}): {output}");
        }

        return (code, output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await output + await error);
    }
}
