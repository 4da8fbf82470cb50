using System;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>commit-short DIR NAME CLAIM COMMIT FILL</c>: opens the channel as one more writer, claims CLAIM bytes, fills
/// them all with the byte FILL, commits only the first COMMIT and exits.
/// </summary>
internal sealed class CommitShort : IHostCommand
{
    public string Name => "commit-short";

    public int Run(string[] args)
    {
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] });
        WriteClaim claim = writer.Claim(int.Parse(args[2]), TimeSpan.FromSeconds(30));
        claim.Payload.Fill(byte.Parse(args[4]));
        claim.Commit(int.Parse(args[3]));
        return 0;
    }
}
