using System;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>A process function with a result, running in its child process: await <see cref="Result"/>.</summary>
/// <typeparam name="TResult">The function's return type.</typeparam>
public sealed class ProcessFunctionHandle<TResult> : ProcessFunctionHandle
{
    private readonly Func<ProcessPayloadReader, TResult> _decode;

    internal ProcessFunctionHandle(StartedChild child, Func<ProcessPayloadReader, TResult> decode)
        : base(child)
    {
        _decode = decode;
        Result = DecodeAsync();
    }

    /// <summary>
    /// The function's result; faults with <see cref="ProcessFunctionException"/> when it threw in the child, or
    /// <see cref="ProcessFunctionCrashedException"/> when the child ended without a result.
    /// </summary>
    public Task<TResult> Result { get; }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the result and the child's exit; on timeout or cancellation the child
    /// is killed.
    /// </summary>
    /// <exception cref="ProcessFunctionException">The function threw in the child.</exception>
    /// <exception cref="ProcessFunctionCrashedException">The child ended without a result.</exception>
    /// <exception cref="TimeoutException">No result in time (the child was killed).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the child was killed).</exception>
    public async Task<TResult> GetResultAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _decode(ReturnedValue(await WaitForRecordAsync(timeout, cancellationToken).ConfigureAwait(false)));

    private async Task<TResult> DecodeAsync() => _decode(ReturnedValue(await ResultRecord.ConfigureAwait(false)));
}
