using System;

namespace NeoBuffer;

/// <summary>
/// A process function threw in its child process: the child's exception type, message and stack text, as text (the
/// exception object itself stayed in the child).
/// </summary>
public sealed class ProcessFunctionException : Exception
{
    /// <summary>Creates the exception for a function that threw in a child.</summary>
    public ProcessFunctionException(string functionName, int processId, string childExceptionType, string childMessage, string childStackTrace)
        : base($"The process function '{functionName}' threw {childExceptionType} in child process {processId}: {childMessage}")
    {
        FunctionName = functionName;
        ProcessId = processId;
        ChildExceptionType = childExceptionType;
        ChildMessage = childMessage;
        ChildStackTrace = childStackTrace;
    }

    /// <summary>The function, as <c>Namespace.Type.Method</c>.</summary>
    public string FunctionName { get; }

    /// <summary>The child's pid.</summary>
    public int ProcessId { get; }

    /// <summary>The full name of the exception's type in the child, e.g. <c>System.InvalidOperationException</c>.</summary>
    public string ChildExceptionType { get; }

    /// <summary>The exception's message in the child.</summary>
    public string ChildMessage { get; }

    /// <summary>The exception's stack trace in the child (with any inner exceptions, as <see cref="Exception.ToString"/> shows them).</summary>
    public string ChildStackTrace { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        base.ToString() + Environment.NewLine + "--- in the child process ---" + Environment.NewLine + ChildStackTrace;
}

/// <summary>
/// A process function's child ended without a result: it was killed by a signal (a crash, <c>kill -9</c>, the OOM
/// killer) or exited on its own (<c>Environment.Exit</c>) before the function returned.
/// </summary>
public sealed class ProcessFunctionCrashedException : Exception
{
    /// <summary>Creates the exception for a child that ended with <paramref name="exitCode"/> and no result.</summary>
    public ProcessFunctionCrashedException(string functionName, int processId, int exitCode)
        : base(Describe(functionName, processId, exitCode))
    {
        FunctionName = functionName;
        ProcessId = processId;
        ExitCode = exitCode;
    }

    /// <summary>The function, as <c>Namespace.Type.Method</c>.</summary>
    public string FunctionName { get; }

    /// <summary>The child's pid.</summary>
    public int ProcessId { get; }

    /// <summary>The exit code as .NET reports it: 128 + the signal's number for a child killed by a signal.</summary>
    public int ExitCode { get; }

    /// <summary>The signal that killed the child (e.g. 9 for SIGKILL, 11 for SIGSEGV), or null if it exited by itself.</summary>
    public int? Signal => ExitCode > 128 && ExitCode < 128 + 65 ? ExitCode - 128 : null;

    private static string Describe(string functionName, int processId, int exitCode)
    {
        string how = exitCode > 128 && exitCode < 128 + 65
            ? $"was killed by signal {exitCode - 128} ({SignalName(exitCode - 128)})"
            : $"exited with code {exitCode}";
        return $"The process function '{functionName}' returned no result: its child process {processId} {how} before the function returned.";
    }

    private static string SignalName(int signal) => signal switch
    {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        15 => "SIGTERM",
        _ => "signal " + signal,
    };
}
