using System;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using NeoBuffer;

/// <summary>
/// N worker processes, each fed by its own job channel (a channel has one reader) and all answering on one MPSC channel;
/// this process writes 64-byte jobs round-robin and counts the answers, then prints the throughput.
/// </summary>
internal static class Pool
{
    private const int JobSize = 64;

    public static int Run(int workers, TimeSpan duration, CancellationToken stop)
    {
        string name = $"procfn-pool-{Environment.ProcessId}";
        using SharedChannelReader answers = SharedChannel.CreateReader(name + ".answers", new SharedChannelOptions
        {
            Topology = ChannelTopology.MultiProducerSingleConsumer,
            MaxProducers = workers,
        });
        SharedChannelWriter[] jobs = Enumerable.Range(0, workers).Select(i => SharedChannel.CreateWriter($"{name}.jobs{i}")).ToArray();
        ProcessFunctionHandle<long>[] pool = jobs.Select(queue => Functions.WorkerProcess.Spawn(queue, answers)).ToArray();
        try
        {
            Console.WriteLine($"{workers} workers started (pids {string.Join(", ", pool.Select(w => w.ProcessId))}); Ctrl+C stops");
            long sent = 0, received = 0, sum = 0;
            byte[] job = new byte[JobSize];
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration && !stop.IsCancellationRequested && pool.All(w => !w.Completion.IsCompleted))
            {
                // Fill each worker's ring as far as it goes, then take what came back: no wait spins on an empty ring.
                for (int i = 0; i < workers; i++)
                {
                    BitConverter.TryWriteBytes(job, sent + 1);
                    while (jobs[i].TryWrite(job))
                    {
                        BitConverter.TryWriteBytes(job, ++sent + 1);
                    }
                }

                received += Drain(answers, ref sum);
                if (received < sent)
                {
                    WaitBriefly(answers, stop);
                }
            }

            // A stopped run ends the queues with an error, and so does a queue whose worker has already exited (a worker
            // returns only after its queue ends, so it died, perhaps before it ever opened the queue): the jobs nobody
            // took are abandoned, not a stream held for a worker that will never come (a completed stream with unread
            // jobs and no reader yet would be kept for one, its file left behind).
            for (int i = 0; i < workers; i++)
            {
                string? abandoned = stop.IsCancellationRequested ? "The pool was stopped." : pool[i].Completion.IsCompleted ? "Its worker exited." : null;
                jobs[i].Complete(abandoned is null ? null : new OperationCanceledException(abandoned));
            }

            // The workers answer what they still hold, then return; a worker that died (Ctrl+C reaches it too) ends its
            // wait with an exception, which a stopped run expects.
            var deadline = Stopwatch.StartNew();
            while (received < sent && deadline.Elapsed < TimeSpan.FromSeconds(10) && !stop.IsCancellationRequested)
            {
                // Once every worker has exited, one more drain takes all they committed (before exiting): nothing more
                // can come, so a worker that died is reported now, not after the 10 s.
                bool allExited = pool.All(w => w.Completion.IsCompleted);
                received += Drain(answers, ref sum);
                if (allExited)
                {
                    break;
                }

                WaitBriefly(answers, stop);
            }

            double seconds = clock.Elapsed.TotalSeconds;
            if (!stop.IsCancellationRequested)
            {
                long served = pool.Sum(w => w.GetResultAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult());
                if (served != sent || received != sent || sum != sent * (sent + 1))
                {
                    throw new InvalidOperationException($"sent {sent} jobs, the workers answered {served}, {received} answers arrived (sum {sum}, expected {sent * (sent + 1)}).");
                }
            }

            Console.WriteLine($"{received:N0} jobs answered in {seconds:F1} s by {workers} worker processes: {received / seconds:N0} jobs/s{(stop.IsCancellationRequested ? " (stopped)" : "")}");
            return SampleExit.Done;
        }
        finally
        {
            foreach (ProcessFunctionHandle<long> worker in pool)
            {
                worker.Dispose();
            }

            foreach (SharedChannelWriter queue in jobs)
            {
                queue.Dispose();
            }
        }
    }

    // Up to 100 ms for an answer: long enough not to spin, short enough to notice the clock and Ctrl+C.
    private static void WaitBriefly(SharedChannelReader answers, CancellationToken stop)
    {
        try
        {
            answers.WaitToRead(TimeSpan.FromMilliseconds(100), stop);
        }
        catch (Exception error) when (error is TimeoutException or OperationCanceledException)
        {
            // Nothing yet, or stopped: the loop checks both.
        }
    }

    private static long Drain(SharedChannelReader answers, ref long sum)
    {
        long count = 0;
        while (answers.TryLease(out ReadLease answer))
        {
            using (answer)
            {
                sum += BitConverter.ToInt64(answer.Payload);
                count++;
            }
        }

        return count;
    }
}
