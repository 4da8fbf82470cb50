using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace NeoBuffer.Testing;

/// <summary>
/// What a <see cref="ChildProcess"/> runs: the test host (<c>NeoBuffer.TestHost COMMAND ARGS</c>, copied beside the
/// test assembly by its project reference), or the running program itself with a first argument that tells it it is a
/// child (the benchmark harness's <c>NeoBuffer.Bench child VERB ARGS</c>), and the environment every child of it gets.
/// </summary>
public sealed class ChildProgram
{
    private readonly Func<(string FileName, string[] Arguments)> _resolve;

    private ChildProgram(Func<(string, string[])> resolve, IReadOnlyDictionary<string, string>? environment)
    {
        _resolve = resolve;
        Environment = environment ?? new Dictionary<string, string>();
    }

    /// <summary>The test host beside the test assembly, run through the dotnet host.</summary>
    public static ChildProgram TestHost { get; } = new(ResolveTestHost, null);

    /// <summary>Environment variables set in every child of this program.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>
    /// This program again, the way it runs now (through its apphost, or through the dotnet host with the entry
    /// assembly), with <paramref name="childArgument"/> before the command.
    /// </summary>
    public static ChildProgram Self(string childArgument, IReadOnlyDictionary<string, string>? environment) => new(
        () =>
        {
            string host = System.Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown.");
            return Path.GetFileNameWithoutExtension(host) == "dotnet"
                ? (host, [Assembly.GetEntryAssembly()!.Location, childArgument])
                : (host, [childArgument]);
        },
        environment);

    /// <summary>The executable and the arguments before the command.</summary>
    internal (string FileName, string[] Arguments) Resolve() => _resolve();

    private static (string, string[]) ResolveTestHost()
    {
        string host = Path.Combine(AppContext.BaseDirectory, "NeoBuffer.TestHost.dll");
        if (!File.Exists(host))
        {
            throw new FileNotFoundException("The test host is not beside the test assembly: reference tests/NeoBuffer.TestHost from the test project.", host);
        }

        return (DotnetExecutable(), [host]);
    }

    private static string DotnetExecutable()
    {
        string? fromSdk = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        string? current = System.Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
