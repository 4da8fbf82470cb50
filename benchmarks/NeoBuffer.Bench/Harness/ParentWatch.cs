using System;
using System.IO;
using System.Threading;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// In a child: ends the process as soon as the parent's end of standard input closes, which happens when the parent
/// exits for any reason, SIGKILL included. A background thread blocks in read(2) and costs nothing while it waits.
/// </summary>
internal static class ParentWatch
{
    public static void Start()
    {
        var thread = new Thread(() =>
        {
            using Stream input = Console.OpenStandardInput();
            var buffer = new byte[64];
            while (input.Read(buffer, 0, buffer.Length) > 0)
            {
                // The parent writes nothing; only the end of the stream matters.
            }

            Environment.Exit(3);
        })
        {
            IsBackground = true,
            Name = "parent watch",
        };
        thread.Start();
    }
}
