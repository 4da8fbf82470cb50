using System;
using System.IO;
using System.Threading;

namespace NeoBuffer.Testing;

/// <summary>
/// In a child: ends the process as soon as the parent's end of standard input closes, which happens when the parent
/// exits for any reason, SIGKILL included. A background thread blocks in read(2) and costs nothing while it waits.
/// The same pipe carries the parent's one signal, "go" (<see cref="ChildProcess.Go"/>): children that must start
/// together (several producers measured as one) get ready, then wait for it.
/// </summary>
public static class ParentWatch
{
    private static readonly ManualResetEventSlim s_go = new();

    public static void Start()
    {
        var thread = new Thread(() =>
        {
            using Stream input = Console.OpenStandardInput();
            var buffer = new byte[64];
            int read;
            while ((read = input.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (Array.IndexOf(buffer, ChildProcess.GoByte, 0, read) >= 0)
                {
                    s_go.Set();
                }
            }

            Environment.Exit(3);
        })
        {
            IsBackground = true,
            Name = "parent watch",
        };
        thread.Start();
    }

    /// <summary>Blocks until the parent says go.</summary>
    public static void WaitForGo() => s_go.Wait();
}
