using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using NeoBuffer.Interop;

namespace NeoBuffer;

/// <summary>
/// The child's side of a process function: before the executable's <c>Main</c>, run the function the parent named,
/// send back its result or exception, and exit.
/// </summary>
/// <remarks>
/// It runs as a .NET startup hook (DOTNET_STARTUP_HOOKS, set by the parent for the child only), on the main thread
/// before <c>Main</c>. Not from the generated module initializer itself: a module initializer runs inside the
/// module's type initializer, and a function whose continuations or threads touch the module would wait for that
/// initializer to finish, which waits for the function: a deadlock. The generated initializer only registers the
/// executable's table of functions, which the hook then looks up.
/// </remarks>
internal static class ProcessFunctionChild
{
    private const string FunctionVariable = "NEOBUFFER_PROCESS_FUNCTION";
    private const string AssemblyVariable = "NEOBUFFER_PROCESS_ASSEMBLY";
    private const string ChannelVariable = "NEOBUFFER_PROCESS_CHANNEL";
    private const string ParentVariable = "NEOBUFFER_PROCESS_PARENT";
    private const string PreviousHooksVariable = "NEOBUFFER_PROCESS_PREVIOUS_HOOKS";
    private const string StartupHooksVariable = "DOTNET_STARTUP_HOOKS";

    /// <summary>Exit code of a child whose parent died before the child could ask to die with it.</summary>
    public const int ParentGoneExitCode = 3;

    /// <summary>Marks <paramref name="environment"/> (a child's) to run <paramref name="functionName"/> of <paramref name="assembly"/>.</summary>
    public static void Describe(IDictionary<string, string?> environment, Assembly assembly, string functionName, string channel)
    {
        environment[FunctionVariable] = functionName;
        environment[AssemblyVariable] = assembly.GetName().Name;
        environment[ChannelVariable] = channel;
        environment[ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string hook = ChildCommand.LocationOf(typeof(ProcessFunctionChild).Assembly);
        if (environment.TryGetValue(StartupHooksVariable, out string? previous) && !string.IsNullOrEmpty(previous))
        {
            environment[PreviousHooksVariable] = previous;
            environment[StartupHooksVariable] = hook + System.IO.Path.PathSeparator + previous;
        }
        else
        {
            environment[StartupHooksVariable] = hook;
        }
    }

    /// <summary>In a child started for a process function, runs it and exits; anywhere else, returns at once.</summary>
    public static void RunIfChild()
    {
        string? function = Environment.GetEnvironmentVariable(FunctionVariable);
        if (function is null)
        {
            return;
        }

        string assemblyName = Environment.GetEnvironmentVariable(AssemblyVariable) ?? "";
        string channel = Environment.GetEnvironmentVariable(ChannelVariable) ?? "";
        int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), out int parent);
        // The function's own children (process functions or not) must not take themselves for this one.
        Environment.SetEnvironmentVariable(StartupHooksVariable, Environment.GetEnvironmentVariable(PreviousHooksVariable));
        foreach (string name in new[] { FunctionVariable, AssemblyVariable, ChannelVariable, ParentVariable, PreviousHooksVariable })
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        DieWithParent(parent);
        Assembly? entry = Assembly.GetEntryAssembly();
        if (entry is null || entry.GetName().Name != assemblyName)
        {
            Console.Error.WriteLine($"NeoBuffer: started for process function '{function}' of '{assemblyName}', but the entry assembly is '{entry?.GetName().Name}'.");
            Environment.Exit(1);
        }

        // Runs the generated module initializer, which registers the table of functions.
        RuntimeHelpers.RunModuleConstructor(entry.ManifestModule.ModuleHandle);
        int exitCode = Run(entry, function, channel);
        Console.Out.Flush();
        Console.Error.Flush();
        Environment.Exit(exitCode);
    }

    // The kernel sends SIGKILL when the parent (its launcher thread, which lives as long as the parent) dies. If it died
    // before this call, the child was already re-parented: getppid() tells, and the child leaves.
    private static void DieWithParent(int parent)
    {
        LibC.Prctl(LibC.PR_SET_PDEATHSIG, LibC.SIGKILL, 0, 0, 0);
        if (LibC.GetParentProcessId() != parent)
        {
            Environment.Exit(ParentGoneExitCode);
        }
    }

    private static int Run(Assembly entry, string function, string channel)
    {
        using SharedChannelReader arguments = SharedChannel.OpenReader(channel + ".args");
        using SharedChannelWriter results = SharedChannel.OpenWriter(channel + ".result");
        var result = new ProcessPayloadWriter();
        int exitCode = 0;
        try
        {
            // The parent wrote the record and completed the channel before it started this process.
            if (!arguments.TryLease(out ReadLease lease))
            {
                throw new ChannelCorruptedException($"The arguments of '{function}' are missing from their channel '{arguments.Name}'.");
            }

            byte[] record;
            using (lease)
            {
                record = lease.Payload.ToArray();
            }

            ProcessFunctionDispatcher dispatcher = ProcessFunctionHost.DispatcherOf(entry)
                ?? throw new MissingMethodException($"'{entry.GetName().Name}' registered no process functions: was it built with the NeoBuffer generator?");
            using var reader = new ProcessPayloadReader(record);
            result.WriteValue(ProcessFunctionHandle.Returned);
            Task task = dispatcher(function, reader, result)
                ?? throw new MissingMethodException($"'{entry.GetName().Name}' has no process function '{function}': the parent and the child are different builds.");
            task.GetAwaiter().GetResult();
        }
        catch (Exception error)
        {
            result = Threw(error);
            exitCode = 1;
        }

        if (!TryWrite(results, result))
        {
            TryWrite(results, Threw(new InvalidOperationException(
                $"The result of '{function}' ({result.WrittenSpan.Length} bytes) does not fit its ring (at most {results.MaxMessageSize} bytes): raise ProcessFunctionOptions.ResultCapacity.")));
            exitCode = 1;
        }

        results.Complete();
        return exitCode;
    }

    private static ProcessPayloadWriter Threw(Exception error)
    {
        var record = new ProcessPayloadWriter();
        record.WriteValue(ProcessFunctionHandle.Threw);
        record.WriteString(error.GetType().FullName ?? error.GetType().Name);
        record.WriteString(error.Message);
        record.WriteString(error.ToString());
        return record;
    }

    // The parent reads while it waits, but the ring is empty and the record is at most MaxMessageSize: it goes in now.
    private static bool TryWrite(SharedChannelWriter results, ProcessPayloadWriter record) =>
        record.WrittenSpan.Length <= results.MaxMessageSize && results.TryWrite(record.WrittenSpan);
}
