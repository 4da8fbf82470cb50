using System;
using System.Text;
using NeoBuffer.Requests;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>hostile-connect DIRECTORY NAME REPLY</c>: opens the add server's request ring as a writer, as any client does,
/// and writes one connect record naming the response ring REPLY, which belongs to another client, with a token of its
/// own; prints <c>sent</c> and exits 0. What a hostile peer that found a victim's response ring in the directory does.
/// </summary>
internal sealed class HostileConnect : IHostCommand
{
    public string Name => "hostile-connect";

    public int Run(string[] args)
    {
        using SharedChannelWriter requests = ForgedRecords.OpenRequests(args[0], args[1]);
        var envelope = new RequestEnvelope { Kind = RequestKind.Connect, Token = ForgedRecords.RandomToken() };
        ForgedRecords.Write(requests, in envelope, Encoding.UTF8.GetBytes(args[2]));
        Console.WriteLine("sent");
        return 0;
    }
}
