using System;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>dispose-with-parked-callers DIR NAME</c>: serves add requests that are never answered, and connects a client in
/// this process. A blocking request holds the client's response ring, asleep on it, on a thread with a 256 KB stack;
/// an async request parks behind it; a request claim on a third thread holds the send gate, so Dispose waits for it.
/// Then the client is disposed: both requests must fail with <see cref="ObjectDisposedException"/>. Prints "ok" and
/// exits 0, or one line saying what went wrong and exits 1. A client that let go of the ring by restarting a reader
/// loop on the same stack over and over dies here of a stack overflow, which is why this runs as a child process.
/// </summary>
internal sealed class DisposeWithParkedCallers : IHostCommand
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public string Name => "dispose-with-parked-callers";

    public int Run(string[] args) => RunAsync(args[0], args[1]).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string directory, string name)
    {
        var options = new SharedChannelOptions { Directory = directory, Capacity = 1 << 16 };
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(name, options);
        using var serving = new CancellationTokenSource();
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));
        SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(name, options, Bound);

        // B: a blocking request, alone, so it takes the response ring and sleeps on the ring's wake word.
        Exception? blockingError = null;
        var blocking = new Thread(
            () => blockingError = ClientChecks.Catch(() => client.Request(new AddRequest { DelayMs = -1 })),
            maxStackSize: 256 * 1024)
        { IsBackground = true };
        blocking.Start();
        if (!ClientChecks.Until(() => client.BlockedSleeps >= 1, Bound))
        {
            return ClientChecks.Fail("the blocking request never slept holding the ring");
        }

        // C: an async request without a timeout: it cannot take the ring (B holds it), so it parks.
        Task<AddResponse> parked = client.RequestAsync(new AddRequest { DelayMs = -1 }).AsTask();

        // A claim on a third thread holds the send gate until Dispose has returned.
        using var held = new ManualResetEventSlim();
        using var disposed = new ManualResetEventSlim();
        var claiming = new Thread(() =>
        {
            RequestClaim<AddRequest, AddResponse> claim = client.ClaimRequest(Unsafe.SizeOf<AddRequest>(), Bound);
            held.Set();
            disposed.Wait(Bound);
            claim.Dispose();
        })
        { IsBackground = true };
        claiming.Start();
        if (!held.Wait(Bound))
        {
            return ClientChecks.Fail("the claim never held the send gate");
        }

        client.Dispose();
        disposed.Set();
        if (!blocking.Join(Bound) || !claiming.Join(Bound))
        {
            return ClientChecks.Fail("a caller was still blocked a minute after Dispose");
        }

        if (blockingError is not ObjectDisposedException)
        {
            return ClientChecks.Fail($"the blocking request ended with {blockingError?.GetType().Name ?? "a response"}, not ObjectDisposedException");
        }

        Exception? parkedError = await Task.WhenAny(parked, Task.Delay(Bound)) == parked ? parked.Exception?.InnerException : new TimeoutException("still pending");
        if (parkedError is not ObjectDisposedException)
        {
            return ClientChecks.Fail($"the parked async request ended with {parkedError?.GetType().Name ?? "a response"}, not ObjectDisposedException");
        }

        serving.Cancel();
        await Task.WhenAny(serve, Task.Delay(Bound));
        Console.WriteLine("ok");
        return 0;
    }
}
