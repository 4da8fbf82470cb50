using System;
using System.Threading.Tasks;
using NeoBuffer;

/// <summary>The functions this program runs in child processes of itself.</summary>
internal static partial class Functions
{
    /// <summary>The one-shot call: <c>await Functions.AddProcess.RunAsync(5, 7)</c>.</summary>
    [ProcessFunction]
    public static int Add(int a, int b) => a + b;

    /// <summary>
    /// A long-lived worker: answers every job on <paramref name="jobs"/> (its own channel) with its number doubled on
    /// <paramref name="answers"/> (one channel all workers write to), until the parent completes its jobs; returns how
    /// many it answered.
    /// </summary>
    [ProcessFunction]
    public static async Task<long> Worker(SharedChannelReader jobs, SharedChannelWriter answers)
    {
        long answered = 0;
        while (await jobs.WaitToReadAsync())
        {
            while (jobs.TryLease(out ReadLease job))
            {
                long number;
                using (job)
                {
                    number = BitConverter.ToInt64(job.Payload);
                }

                using (WriteClaim answer = answers.Claim(sizeof(long), TimeSpan.FromSeconds(30)))
                {
                    BitConverter.TryWriteBytes(answer.Payload, number * 2);
                    answer.Commit();
                }

                answered++;
            }
        }

        return answered;
    }
}
