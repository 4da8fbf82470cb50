using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using NeoBuffer.TestHost.Messages;
using NeoBuffer.Waiting;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>inline-continuation DIR NAME PATH</c>: an async request awaited under a <see cref="SynchronizationContext"/> whose
/// <c>Post</c> runs the callback at once, resolved along one delivery PATH, whose continuation then makes a blocking
/// request of the same client and disposes it, as caller code may. PATH is one of:
/// <list type="bullet">
/// <item><c>reader-loop</c>: the response is read by the client's async reader loop (on the futex waiter thread);</item>
/// <item><c>blocking-reader</c>: it is read by another thread's blocking request, asleep holding the response ring;</item>
/// <item><c>server-closed</c>: the server is disposed and the reader loop fails every pending request.</item>
/// </list>
/// Prints "ok" and exits 0 when the continuation's blocking request ended as it should (answered; for
/// <c>server-closed</c>, the client's <see cref="ChannelClosedException"/>), the continuation ran neither on the futex
/// waiter thread nor on the blocking reader's thread, and the client's Dispose returned; else prints what went wrong
/// and exits 1. A continuation run on the thread that holds the ring would wait for itself in the Dispose (or in the
/// blocking request, where nothing refuses it): the test kills this process at its deadline.
/// </summary>
internal sealed class InlineContinuation : IHostCommand
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    // The requests' A says what the server does with them (B says nothing).
    private const int Held = 1; // answered once the test releases it
    private const int Never = 2; // never answered
    private const int AtOnce = 3;

    public string Name => "inline-continuation";

    public int Run(string[] args) => RunAsync(args[0], args[1], args[2]).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string directory, string name, string path)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new SharedChannelOptions { Directory = directory, Capacity = 1 << 16, SpinCount = 0 };
        SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(name, options);
        using var serving = new CancellationTokenSource();
        Task serve = Task.Run(() => server.ServeAsync(request => Answer(request, release.Task, finished.Task), serving.Token));
        SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(name, options, Bound);

        Thread? reader = null;
        if (path == "blocking-reader")
        {
            // A blocking request the server never answers: alone, it takes the response ring and sleeps on it.
            reader = new Thread(() => ClientChecks.Catch(() => client.Request(new AddRequest { A = Never }, Bound))) { IsBackground = true };
            reader.Start();
            if (!ClientChecks.Until(() => client.BlockedSleeps >= 1, Bound))
            {
                return ClientChecks.Fail("the blocking request never slept holding the ring");
            }
        }
        else if (path is not ("reader-loop" or "server-closed"))
        {
            return ClientChecks.Fail($"unknown path '{path}'");
        }

        // The async request parks (no spin); its continuation is registered before the server may answer it.
        Task<string> continuation = AwaitThenBlockUnder(new InlineContext(), client, reader, expectClosed: path == "server-closed");
        if (path == "server-closed")
        {
            serving.Cancel();
            server.Dispose(); // completes the client's response ring with an error: the reader loop fails the request
        }
        else
        {
            release.SetResult();
        }

        if (await Task.WhenAny(continuation, Task.Delay(Bound)) != continuation)
        {
            return ClientChecks.Fail("the continuation did not finish");
        }

        string outcome = await continuation;
        if (reader is not null && !reader.Join(Bound))
        {
            return ClientChecks.Fail("the blocking reader did not end after Dispose");
        }

        finished.SetResult();
        serving.Cancel();
        await Task.WhenAny(serve, Task.Delay(Bound));
        server.Dispose();
        if (outcome != "ok")
        {
            return ClientChecks.Fail(outcome);
        }

        Console.WriteLine("ok");
        return 0;
    }

    // Starts an async request under the context; once it resumes (through the context), makes a blocking request of the
    // same client and disposes the client. Returns "ok" or what went wrong.
    private static Task<string> AwaitThenBlockUnder(SynchronizationContext context, SharedClient<AddRequest, AddResponse> client, Thread? reader, bool expectClosed)
    {
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            return Run();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        async Task<string> Run()
        {
            Exception? first = await Capture(client.RequestAsync(new AddRequest { A = Held, B = 1 }, Bound));
            string where = FutexWaitEngine.IsWaiterThread ? "on the futex waiter thread"
                : Thread.CurrentThread == reader ? "on the blocking reader's thread"
                : "";
            Exception? second = ClientChecks.Catch(() => client.Request(new AddRequest { A = AtOnce, B = 2 }, TimeSpan.FromSeconds(5)));
            client.Dispose();
            if (where.Length > 0)
            {
                return $"the continuation ran {where}; its blocking request ended with {second?.GetType().Name ?? "an answer"}";
            }

            if (expectClosed)
            {
                return first is ChannelClosedException && second is ChannelClosedException ? "ok"
                    : $"after the server closed, the requests ended with {first?.GetType().Name ?? "an answer"} and {second?.GetType().Name ?? "an answer"}";
            }

            return first is null && second is null ? "ok" : $"the requests ended with {first?.GetType().Name ?? "an answer"} and {second?.GetType().Name ?? "an answer"}: {(first ?? second)!}";
        }
    }

    // Awaits the ValueTask itself (AsTask would resume through a task the pool completes, not through the context).
    private static async Task<Exception?> Capture(ValueTask<AddResponse> request)
    {
        try
        {
            await request;
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static async ValueTask Answer(IncomingRequest<AddRequest, AddResponse> request, Task released, Task finished)
    {
        AddRequest add = request.Message;
        if (add.A == Never)
        {
            await finished; // only to let the server close without a handler left waiting
            return;
        }

        if (add.A == Held)
        {
            await released;
        }

        await request.ReplyAsync(new AddResponse { Sum = add.A + add.B, ServerPid = Environment.ProcessId });
    }

    // Runs every posted callback at once, on the posting thread: the context a blocking request must survive.
    private sealed class InlineContext : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => d(state);
    }
}
