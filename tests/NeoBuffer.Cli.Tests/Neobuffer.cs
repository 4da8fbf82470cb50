using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;

namespace NeoBuffer.Cli.Tests;

/// <summary>One run of the built tool as a real process: <c>dotnet NeoBuffer.Cli.dll ARGS</c>, its exit code and output.</summary>
internal sealed record Neobuffer(int ExitCode, string Output, string Error)
{
    public static string ToolPath => Path.Combine(AppContext.BaseDirectory, "NeoBuffer.Cli.dll");

    /// <summary>Runs the tool with <paramref name="args"/>, its output redirected (so plain, never coloured); killed and failed after 60 s.</summary>
    public static async Task<Neobuffer> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ToolPath);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"neobuffer {string.Join(' ', args)} did not exit in 60 s; it printed: {await output}{await error}");
        }

        return new Neobuffer(process.ExitCode, await output, await error);
    }

    /// <summary>The standard output's non-empty lines.</summary>
    public IReadOnlyList<string> Lines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
