using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer;

/// <summary>
/// A client: asks the server <c>count</c> questions one after the other, checks every answer, and prints its rate and
/// round-trip percentiles as one <c>result</c> line.
/// </summary>
internal static class ClientRole
{
    public static async Task<int> RunAsync(string name, int count, CancellationToken stop)
    {
        using SharedClient<Question, Answer> client = await SharedChannel.ConnectAsync<Question, Answer>(
            name, new SharedChannelOptions { SpinCount = 2000 }, TimeSpan.FromSeconds(10), stop);
        var roundTrips = new long[count];
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            long started = Stopwatch.GetTimestamp();
            Answer answer = await client.RequestAsync(new Question { Id = i, A = i, B = 7 }, TimeSpan.FromSeconds(10), stop);
            roundTrips[i] = Stopwatch.GetTimestamp() - started;
            if (answer.Id != i || answer.Sum != i + 7)
            {
                return SampleExit.Print(SampleExit.Failed, $"client: question {i} got the answer {answer.Sum} to question {answer.Id}: the server is broken.");
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(roundTrips);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"result {count} {seconds:F4} {Microseconds(roundTrips[count / 2]):F2} {Microseconds(roundTrips[Math.Min(count - 1, count * 99 / 100)]):F2}"));
        return SampleExit.Done;
    }

    private static double Microseconds(long ticks) => ticks * 1_000_000.0 / Stopwatch.Frequency;
}
