using System;
using System.Globalization;
using System.Runtime.InteropServices;
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
        using SharedChannelWriter requests = ForgedRecords.OpenRequests(args[0], args[1]);
        int client = int.Parse(args[2], CultureInfo.InvariantCulture);
        long token = ForgedRecords.RandomToken();
        var add = new AddRequest { A = 100, B = 100 };
        var request = new RequestEnvelope { CorrelationId = long.Parse(args[3], CultureInfo.InvariantCulture), ClientId = client, Kind = RequestKind.Request, Token = token };
        ForgedRecords.Write(requests, in request, MemoryMarshal.AsBytes(new ReadOnlySpan<AddRequest>(in add)));
        var disconnect = new RequestEnvelope { ClientId = client, Kind = RequestKind.Disconnect, Token = token };
        ForgedRecords.Write(requests, in disconnect, ReadOnlySpan<byte>.Empty);
        Console.WriteLine("sent");
        return 0;
    }
}
