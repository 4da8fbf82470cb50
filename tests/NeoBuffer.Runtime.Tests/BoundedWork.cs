using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// Work a test runs on other threads over its endpoints, and the endpoints themselves. A failing test must fail
/// alone: if work may still be inside the mapped ring when the test ends (it hung, or the test failed while it ran),
/// disposing its endpoints would unmap the segment under it, and the AccessViolation that follows aborts the whole
/// test host. So <see cref="Dispose"/> asks the work to stop, gives it a bounded grace, and disposes the endpoints
/// only once every piece of work has ended; otherwise it keeps them mapped (rooted for the life of the process, so no
/// finalizer unmaps them either) and the test's own failure is the only one.
/// </summary>
internal sealed class BoundedWork : IDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);
    private static readonly ConcurrentBag<object> s_abandoned = [];

    private readonly List<IDisposable> _endpoints = [];
    private readonly List<Task> _work = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Cancelled when the test ends: work passes it to its waits, so a test that failed early does not wait out their timeouts.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Registers an endpoint the work uses; it is disposed with this object, after the work ended.</summary>
    public T Uses<T>(T endpoint) where T : IDisposable
    {
        _endpoints.Add(endpoint);
        return endpoint;
    }

    /// <summary>Runs <paramref name="body"/> on a thread of its own (it may block in a wait).</summary>
    public Task Start(Action body) => Track(Task.Factory.StartNew(body, TaskCreationOptions.LongRunning));

    /// <inheritdoc cref="Start(Action)"/>
    public Task<T> Start<T>(Func<T> body) => Track(Task.Factory.StartNew(body, TaskCreationOptions.LongRunning));

    /// <summary>Waits for <paramref name="task"/> at most <paramref name="bound"/>; a TimeoutException saying what hung otherwise.</summary>
    public static async Task Within(Task task, TimeSpan bound, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(bound)) != task)
        {
            throw new TimeoutException($"{what} did not end within {bound.TotalSeconds:0.#} s: it hangs (its endpoints stay mapped, so it cannot crash other tests).");
        }

        await task;
    }

    /// <inheritdoc cref="Within(Task, TimeSpan, string)"/>
    public static async Task<T> Within<T>(Task<T> task, TimeSpan bound, string what)
    {
        await Within((Task)task, bound, what);
        return await task;
    }

    public void Dispose()
    {
        _stop.Cancel();
        bool ended = Task.WhenAll(_work).ContinueWith(_ => { }, TaskScheduler.Default).Wait(Grace);
        if (!ended)
        {
            s_abandoned.Add(_endpoints);
            s_abandoned.Add(_work);
            return;
        }

        for (int i = _endpoints.Count - 1; i >= 0; i--)
        {
            _endpoints[i].Dispose();
        }

        _stop.Dispose();
    }

    private TTask Track<TTask>(TTask task) where TTask : Task
    {
        _work.Add(task);
        return task;
    }
}
