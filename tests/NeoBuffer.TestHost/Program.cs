using System;
using System.Linq;
using System.Reflection;

namespace NeoBuffer.TestHost;

/// <summary>
/// The child process the cross-process tests start: <c>NeoBuffer.TestHost COMMAND ARGS...</c>. Each command is an
/// <see cref="IHostCommand"/> in its own file, found by reflection, so adding one touches nothing else.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var commands = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IHostCommand).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => (IHostCommand)Activator.CreateInstance(t)!)
            .ToDictionary(c => c.Name, StringComparer.Ordinal);
        if (args.Length == 0 || !commands.TryGetValue(args[0], out IHostCommand? command))
        {
            Console.Error.WriteLine($"usage: NeoBuffer.TestHost <{string.Join("|", commands.Keys.Order())}> ARGS...");
            return 2;
        }

        try
        {
            return command.Run(args.Skip(1).ToArray());
        }
        catch (Exception e)
        {
            Console.Error.WriteLine(e);
            return 1;
        }
    }
}

/// <summary>One thing a child process can be asked to do.</summary>
internal interface IHostCommand
{
    /// <summary>The first command-line argument that selects it.</summary>
    string Name { get; }

    /// <summary>Runs it; the return value is the process's exit code.</summary>
    int Run(string[] args);
}
