using System;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>readme-a NAME</c>: process A of the README's first example, line for line (the channel name is the argument; the
/// directory comes from NEOBUFFER_DIR, as the example's default options read it).
/// </summary>
internal sealed class ReadmeProcessA : IHostCommand
{
    public string Name => "readme-a";

    public int Run(string[] args)
    {
        string telemetry = args[0];

        // Process A: create the channel (or open it, if B started first) and write.
        using var writer = SharedChannel.OpenOrCreateWriter(telemetry, new SharedChannelOptions { Capacity = 1 << 20 });
        using (WriteClaim claim = writer.Claim(16))        // space in the ring, waited for if the ring is full
        {
            BitConverter.TryWriteBytes(claim.Payload, 42L); // fill it in place
            claim.Commit();                                 // publish it (disposing without Commit aborts)
        }
        writer.TryWrite("hello"u8);                         // or copy a small message in
        writer.Complete();                                  // A may exit now: unread messages wait for B
        return 0;
    }
}
