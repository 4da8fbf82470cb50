using System;
using System.Threading;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>claim-and-hang DIR NAME LENGTH</c>: opens the channel as a writer, claims LENGTH bytes, prints "claimed" and
/// never commits: the parent kills it there, between claim and commit.
/// </summary>
internal sealed class ClaimAndHang : IHostCommand
{
    public string Name => "claim-and-hang";

    public int Run(string[] args)
    {
        using SharedChannelWriter writer = SharedChannel.OpenWriter(args[1], new SharedChannelOptions { Directory = args[0] });
        WriteClaim claim = writer.Claim(int.Parse(args[2]), TimeSpan.FromSeconds(30));
        claim.Payload.Fill(0xAB);
        Console.WriteLine("claimed");
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
