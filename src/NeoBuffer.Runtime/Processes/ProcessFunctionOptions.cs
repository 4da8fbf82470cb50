using System;
using System.Threading;

namespace NeoBuffer;

/// <summary>How a process function's child is run.</summary>
public sealed class ProcessFunctionOptions
{
    /// <summary>
    /// How long <c>Run</c> and <c>RunAsync</c> wait for the result before they kill the child and throw
    /// <see cref="TimeoutException"/>; <see cref="Timeout.InfiniteTimeSpan"/> (the default) waits as long as it takes.
    /// </summary>
    public TimeSpan Timeout { get; set; } = System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>
    /// When true, the child's standard output and error are captured into <see cref="ProcessFunctionHandle.StandardOutput"/>
    /// and <see cref="ProcessFunctionHandle.StandardError"/> instead of passing through to this process's own.
    /// </summary>
    public bool CaptureOutput { get; set; }

    /// <summary>
    /// Capacity of the ring the result comes back through (a power of two, default 1 MiB): a result, or the text of
    /// the child's exception, may use a little under half of it.
    /// </summary>
    public long ResultCapacity { get; set; } = SharedChannelOptions.DefaultCapacity;
}
