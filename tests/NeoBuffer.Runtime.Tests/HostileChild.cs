using System.Threading.Tasks;
using NeoBuffer.Testing;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>A hostile child of the test host against a test's channel, started and waited for until it has written what it writes.</summary>
internal static class HostileChild
{
    /// <summary>Starts test host COMMAND DIRECTORY NAME ARGS and waits for its line <c>sent</c>.</summary>
    public static async Task<ChildProcess> StartAsync(TestChannel channel, string command, params string[] args)
    {
        ChildProcess hostile = ChildProcess.Start(command, [channel.Directory, channel.Name, .. args]);
        try
        {
            await hostile.WaitForLineAsync("sent", Generous);
            return hostile;
        }
        catch
        {
            hostile.Dispose();
            throw;
        }
    }
}
