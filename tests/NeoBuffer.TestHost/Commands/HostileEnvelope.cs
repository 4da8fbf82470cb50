using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NeoBuffer.Requests;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>hostile-envelope DIRECTORY NAME CLIENT CORRELATION</c>: opens the add server's request ring as a writer, as any
/// client does, and writes, under the id CLIENT (another client's) and a token of its own, a request asking 100 + 100
/// with the correlation id CORRELATION, then a disconnect record; prints <c>sent</c> and exits 0. What a hostile peer
/// that guessed a victim's client id and its next correlation id (both are counters) does.
/// </summary>
internal sealed class HostileEnvelope : IHostCommand
{
    public string Name => "hostile-envelope";

    public int Run(string[] args)
    {
        using SharedChannelWriter requests = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] }, ServiceSchema<AddRequest, AddResponse>.Layout);
        int client = int.Parse(args[2], CultureInfo.InvariantCulture);
        long correlation = long.Parse(args[3], CultureInfo.InvariantCulture);
        long token = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue | 1;

        int requestLength = RequestEnvelope.Size + System.Runtime.CompilerServices.Unsafe.SizeOf<AddRequest>();
        using (WriteClaim claim = requests.Claim(requestLength, TimeSpan.FromSeconds(30)))
        {
            var envelope = new RequestEnvelope { CorrelationId = correlation, ClientId = client, Kind = RequestKind.Request, Token = token };
            MemoryMarshal.Write(claim.Payload, in envelope);
            MemoryMarshal.Write(claim.Payload.Slice(RequestEnvelope.Size), new AddRequest { A = 100, B = 100 });
            claim.Commit();
        }

        using (WriteClaim claim = requests.Claim(RequestEnvelope.Size, TimeSpan.FromSeconds(30)))
        {
            var envelope = new RequestEnvelope { ClientId = client, Kind = RequestKind.Disconnect, Token = token };
            MemoryMarshal.Write(claim.Payload, in envelope);
            claim.Commit();
        }

        Console.WriteLine("sent");
        return 0;
    }
}
