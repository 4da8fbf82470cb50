using System;
using NeoBuffer.Sealed;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>handle-squat ADDRESS</c>: binds the abstract socket name ADDRESS (a channel's handle address) before its reader
/// can, as a hostile process would, prints <c>ready</c>, and holds it until killed.
/// </summary>
internal sealed class HandleSquat : IHostCommand
{
    public string Name => "handle-squat";

    public int Run(string[] args)
    {
        int socket = UnixSocket.ListenAbstract(args[0], out int errno);
        if (socket < 0)
        {
            Console.Error.WriteLine($"bind failed: errno {errno}");
            return 1;
        }

        Console.WriteLine("ready");
        System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite); // the test kills it
        return 0;
    }
}
