using System;
using NeoBuffer.Testing;

namespace NeoBuffer.Soak.Tests;

/// <summary>
/// The managed stacks of a live child process, for the report of a hang: taken by the test host's <c>stack-of</c>
/// command in a helper process (a sibling of the child, see its remarks for why never this process). Bounded, and
/// never throws: a helper that fails or takes too long gives a one-line reason instead.
/// </summary>
internal static class ManagedStack
{
    private static readonly TimeSpan HelperBound = TimeSpan.FromSeconds(20);

    /// <summary>The stacks of <paramref name="pid"/>, taken by a helper process.</summary>
    public static string Of(int pid)
    {
        try
        {
            using ChildProcess helper = ChildProcess.Start("stack-of", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!helper.WaitExit(HelperBound))
            {
                return $"    (pid {pid}: no stack: the helper took longer than {HelperBound.TotalSeconds:0} s)";
            }

            string stacks = string.Join(Environment.NewLine, helper.Lines).TrimEnd();
            return stacks.Length > 0 ? stacks : $"    (pid {pid}: no stack: no output)";
        }
        catch (Exception e)
        {
            return $"    (pid {pid}: no stack: {e.GetType().Name}: {e.Message})";
        }
    }
}
