using System;
using System.Threading;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// What the commands that drive a client through a scenario and report one line share: a bounded wait for a
/// condition, an action's exception captured, and the failure line with its exit code.
/// </summary>
internal static class ClientChecks
{
    /// <summary>Polls <paramref name="condition"/> (yielding between looks) until it holds; false after <paramref name="bound"/>.</summary>
    public static bool Until(Func<bool> condition, TimeSpan bound)
    {
        long deadline = Environment.TickCount64 + (long)bound.TotalMilliseconds;
        while (!condition())
        {
            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            Thread.Yield();
        }

        return true;
    }

    /// <summary>Runs <paramref name="action"/>; returns what it threw, or null.</summary>
    public static Exception? Catch(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>Prints what went wrong as the command's one line; returns exit code 1.</summary>
    public static int Fail(string what)
    {
        Console.WriteLine(what);
        return 1;
    }
}
