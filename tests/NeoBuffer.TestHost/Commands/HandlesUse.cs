using System;
using System.IO;
using System.Text;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>handles-use NAME DIRECTORY</c>: opens channel NAME (in DIRECTORY) as its reader with a
/// <see cref="HandleReceiver"/>, prints <c>ready</c>, and reads one message: a <see cref="HandleBatch"/> naming an
/// open file and a private channel. It reads the file, appends <c>child was here</c> to it, and writes each line of
/// the file, upper-cased, into the private channel as its writer, then completes it. Exit code 0 when all of that worked.
/// </summary>
internal sealed class HandlesUse : IHostCommand
{
    public string Name => "handles-use";

    public int Run(string[] args)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(60);
        using SharedChannelReader control = SharedChannel.OpenReader(args[0], new SharedChannelOptions { Directory = args[1] });
        using var handles = new HandleReceiver(control);
        Console.WriteLine("ready");
        if (!control.WaitToRead(timeout) || !control.TryLease(out ReadLease lease))
        {
            Console.Error.WriteLine("no message came");
            return 1;
        }

        HandleBatch batch;
        using (lease)
        {
            batch = HandleBatch.Read(lease.Payload);
        }

        using ReceivedHandles received = handles.Receive(batch, timeout);
        using FileStream file = received.TakeFile(0);
        using SharedChannelWriter replies = received.TakeChannelWriter(1);
        string text = new StreamReader(file, Encoding.UTF8, leaveOpen: true).ReadToEnd();
        file.Write("child was here\n"u8);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            replies.Write(Encoding.UTF8.GetBytes(line.ToUpperInvariant()), timeout);
        }

        replies.Complete();
        Console.WriteLine($"lines={text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length}");
        return 0;
    }
}
