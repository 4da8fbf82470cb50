using System;
using System.IO;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>handles-send-exit DIRECTORY NAME FILE</c>: opens channel NAME as its writer, sends FILE (opened for reading) as a
/// handle, commits the message naming it, lets go of everything, prints <c>committed</c> and exits 0: a writer gone
/// before the reader's receiver accepted its connection.
/// </summary>
internal sealed class HandlesSendAndExit : IHostCommand
{
    public string Name => "handles-send-exit";

    public int Run(string[] args)
    {
        TimeSpan timeout = TimeSpan.FromSeconds(60);
        using (SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] }))
        using (var sender = new HandleSender(writer))
        using (var file = new FileStream(args[2], FileMode.Open, FileAccess.Read))
        using (WriteClaim claim = writer.Claim(HandleBatch.Size, timeout))
        {
            sender.Send([PassedHandle.File(file)], timeout).Write(claim.Payload);
            claim.Commit();
        }

        Console.WriteLine("committed");
        return 0;
    }
}
