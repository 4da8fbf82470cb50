using System;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>An SPSC channel of this test with its writer and reader, a handle sender on the writer and a receiver on the reader.</summary>
internal sealed class HandleChannelPair : IDisposable
{
    public HandleChannelPair(bool withReceiver = true)
    {
        Channel = new TestChannel("handles");
        Writer = SharedChannel.CreateWriter(Channel.Name, Channel.Options());
        Reader = SharedChannel.OpenReader(Channel.Name, Channel.Options());
        Sender = new HandleSender(Writer);
        Receiver = withReceiver ? new HandleReceiver(Reader) : null;
    }

    public TestChannel Channel { get; }

    public SharedChannelWriter Writer { get; }

    public SharedChannelReader Reader { get; }

    public HandleSender Sender { get; }

    public HandleReceiver? Receiver { get; }

    public void Deconstruct(out TestChannel channel, out SharedChannelWriter writer, out SharedChannelReader reader, out HandleReceiver receiver, out HandleSender sender)
    {
        channel = Channel;
        writer = Writer;
        reader = Reader;
        receiver = Receiver ?? throw new InvalidOperationException("This pair has no receiver.");
        sender = Sender;
    }

    public void Dispose()
    {
        Receiver?.Dispose();
        Sender.Dispose();
        Reader.Dispose();
        Writer.Dispose();
        Channel.Dispose();
    }
}
