using System;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using NeoBuffer.Requests;
using NeoBuffer.TestHost.Messages;

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
        using SharedChannelWriter requests = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] }, ServiceSchema<AddRequest, AddResponse>.Layout);
        byte[] reply = Encoding.UTF8.GetBytes(args[2]);
        using (WriteClaim claim = requests.Claim(RequestEnvelope.Size + reply.Length, TimeSpan.FromSeconds(30)))
        {
            var envelope = new RequestEnvelope { Token = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue | 1, Kind = RequestKind.Connect };
            MemoryMarshal.Write(claim.Payload, in envelope);
            reply.CopyTo(claim.Payload.Slice(RequestEnvelope.Size));
            claim.Commit();
        }

        Console.WriteLine("sent");
        return 0;
    }
}
