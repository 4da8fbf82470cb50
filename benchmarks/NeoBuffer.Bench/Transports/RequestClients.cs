using System;
using System.Linq;
using System.Threading.Tasks;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The clients of one <c>request</c> session, for every transport alike: each on a thread of its own with a timer of
/// its own (warm-up, then the timed blocks), all at once; the session is the row of all their blocks.
/// </summary>
internal static class RequestClients
{
    /// <summary>
    /// Runs <paramref name="clients"/> clients, client <c>c</c> as <c>client(c, total, timer)</c> on a thread of its
    /// own, making <c>total</c> requests and recording each in <c>timer</c>.
    /// </summary>
    public static Measurement Run(BenchRun run, string transport, int messageBytes, int clients, Action<int, int, RoundTripTimer> client) =>
        RunAll(run, transport, messageBytes, clients, (c, total, timer) => Task.Factory.StartNew(() => client(c, total, timer), TaskCreationOptions.LongRunning));

    /// <summary>
    /// Runs <paramref name="clients"/> clients as async loops on the thread pool, all at once, client <c>c</c> as
    /// <c>client(c, total, timer)</c>: how a user of the async API writes them.
    /// </summary>
    public static Measurement RunAsync(BenchRun run, string transport, int messageBytes, int clients, Func<int, int, RoundTripTimer, Task> client) =>
        RunAll(run, transport, messageBytes, clients, (c, total, timer) => Task.Run(() => client(c, total, timer)));

    private static Measurement RunAll(BenchRun run, string transport, int messageBytes, int clients, Func<int, int, RoundTripTimer, Task> start)
    {
        int block = RequestPlan.Block(run.Plan, transport, messageBytes);
        int total = run.RoundTripTotal(block);
        var timers = Enumerable.Range(0, clients).Select(_ => new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks)).ToArray();
        Task[] loops = Enumerable.Range(0, clients).Select(c => start(c, total, timers[c])).ToArray();
        Task.WaitAll(loops);
        return Session(transport, messageBytes, clients, block, timers);
    }

    private static Measurement Session(string transport, int messageBytes, int clients, int block, RoundTripTimer[] timers) =>
        Measurement.RoundTrip(transport, messageBytes, block, timers.SelectMany(t => t.Blocks).ToArray()) with
        {
            Scenario = Scenarios.Request,
            Producers = clients,
        };
}
