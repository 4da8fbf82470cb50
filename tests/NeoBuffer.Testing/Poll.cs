using System;
using System.Diagnostics;
using System.Threading.Tasks;

namespace NeoBuffer.Testing;

/// <summary>
/// Waits for a state another process makes (a file, a row of a segment) that sends no notification: checks it every
/// 20 ms, and fails past the timeout instead of waiting forever.
/// </summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout.TotalSeconds:F0} s for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
