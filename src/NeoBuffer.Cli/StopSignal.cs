using System;
using System.Runtime.InteropServices;
using System.Threading;

namespace NeoBuffer.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM, turned into a cancellation while a verb that runs until stopped (<c>tail --follow</c>,
/// <c>top</c>) is running, so it ends by itself, flushing its output, with exit code 0.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public StopSignal()
    {
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
    }

    public CancellationToken Token => _stop.Token;

    public bool IsStopped => _stop.IsCancellationRequested;

    /// <summary>Waits up to <paramref name="interval"/>; true when stopped meanwhile.</summary>
    public bool Wait(TimeSpan interval) => _stop.Token.WaitHandle.WaitOne(interval);

    private void Stop(PosixSignalContext context)
    {
        context.Cancel = true; // the verb ends itself
        _stop.Cancel();
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }
}
