using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>add-client DIR NAME COUNT CONCURRENCY [hang]</c>: connects to the add server, prints "ready", and keeps
/// CONCURRENCY requests in flight until COUNT were answered, each with a delay of 0 to 3 ms so the server answers out
/// of order; checks every sum, prints "reordered K" (answers that came after the answer to a later request) and "done COUNT".
/// With <c>hang</c>, sends COUNT requests the server never answers, prints "sent", and waits to be killed.
/// </summary>
internal sealed class AddClient : IHostCommand
{
    public string Name => "add-client";

    public int Run(string[] args) => RunAsync(args).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(string[] args)
    {
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(
            args[1], new SharedChannelOptions { Directory = args[0] }, TimeSpan.FromSeconds(30));
        Console.WriteLine("ready");
        int count = int.Parse(args[2]);
        if (args.Length > 4 && args[4] == "hang")
        {
            for (int i = 0; i < count; i++)
            {
                _ = client.RequestAsync(new AddRequest { A = i, DelayMs = -1 }).AsTask();
            }

            Console.WriteLine("sent");
            await Task.Delay(Timeout.Infinite);
        }

        int concurrency = int.Parse(args[3]);
        long next = 0, answered = 0, reordered = 0, latest = -1;
        var workers = new Task[concurrency];
        for (int w = 0; w < concurrency; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                while (true)
                {
                    long i = Interlocked.Increment(ref next) - 1;
                    if (i >= count)
                    {
                        return;
                    }

                    AddResponse response = await client.RequestAsync(new AddRequest { A = i, B = 1_000_000, DelayMs = (int)(i % 4) }, TimeSpan.FromSeconds(60));
                    if (response.Sum != i + 1_000_000)
                    {
                        throw new InvalidOperationException($"request {i}: sum {response.Sum}, expected {i + 1_000_000}");
                    }

                    // Answered after a request sent later was: the responses came back out of order.
                    Interlocked.Increment(ref answered);
                    long seen = Volatile.Read(ref latest);
                    while (seen < i && Interlocked.CompareExchange(ref latest, i, seen) != seen)
                    {
                        seen = Volatile.Read(ref latest);
                    }

                    if (seen > i)
                    {
                        Interlocked.Increment(ref reordered);
                    }
                }
            });
        }

        await Task.WhenAll(workers);
        Console.WriteLine($"reordered {reordered}");
        Console.WriteLine($"done {answered}");
        return 0;
    }
}
