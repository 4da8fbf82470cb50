using System;
using System.Globalization;
using System.IO;
using System.Text;
using NeoBuffer.Requests;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>name-unfinished-ring DIRECTORY NAME COUNT</c>: creates an empty file where a client's response ring would be (a
/// name of the add server NAME's reply rings, no channel header), then writes COUNT connect records naming it; prints
/// <c>sent</c> and exits 0. A channel only ever appears under its name whole, so no client's ring looks like that: what
/// a peer that plants files in the directory does to make the server open them.
/// </summary>
internal sealed class NameUnfinishedRing : IHostCommand
{
    public string Name => "name-unfinished-ring";

    public int Run(string[] args)
    {
        string replyName = $"{args[1]}.reply-{new string('0', 32)}";
        File.Create(Path.Combine(args[0], "neobuffer." + replyName)).Dispose();
        using SharedChannelWriter requests = ForgedRecords.OpenRequests(args[0], args[1]);
        for (int i = 0; i < int.Parse(args[2], CultureInfo.InvariantCulture); i++)
        {
            var envelope = new RequestEnvelope { Kind = RequestKind.Connect, Token = ForgedRecords.RandomToken() };
            ForgedRecords.Write(requests, in envelope, Encoding.UTF8.GetBytes(replyName));
        }

        Console.WriteLine("sent");
        return 0;
    }
}
