using System;
using NeoBuffer.Sealed;
using NeoBuffer.Segments;

namespace NeoBuffer;

// Private channels: sealed memfd segments that no directory or socket server lists, reachable only by passing them
// (PassedHandle.Channel), and the endpoints a receiver opens from a passed one.
public static partial class SharedChannel
{
    /// <summary>
    /// Creates a private channel of raw byte messages and becomes its writer: its segment is a sealed memfd (as in
    /// <see cref="CreateSealedWriter"/>) with no name in any directory and no server, so no other process can open it
    /// until this one passes it, with <see cref="HandleSender"/> and <see cref="PassedHandle.Channel(SharedChannelReader)"/>;
    /// the receiver opens it with <see cref="ReceivedHandles.TakeChannelReader"/>. Its memory goes with the last
    /// descriptor and mapping of it.
    /// <see cref="SharedChannelOptions.Directory"/>, <see cref="SharedChannelOptions.Permissions"/> and
    /// <see cref="SharedChannelOptions.KeepSegment"/> do not apply.
    /// </summary>
    /// <param name="name">A label for messages and tools (validated like any channel name; need not be unique).</param>
    /// <param name="options">Topology, capacity and the other ring options.</param>
    /// <exception cref="SharedChannelException">The memfd could not be made (the message says why).</exception>
    public static SharedChannelWriter CreatePrivateWriter(string name, SharedChannelOptions? options = null)
    {
        options ??= SharedChannelOptions.Default;
        return Attach(SharedSegment.CreateSealed(name, options, schema: null), segment => new SharedChannelWriter(segment, options));
    }

    /// <summary>Creates a private channel of raw byte messages and becomes its reader (see <see cref="CreatePrivateWriter"/>).</summary>
    /// <inheritdoc cref="CreatePrivateWriter"/>
    public static SharedChannelReader CreatePrivateReader(string name, SharedChannelOptions? options = null)
    {
        options ??= SharedChannelOptions.Default;
        return Attach(SharedSegment.CreateSealed(name, options, schema: null), segment => new SharedChannelReader(segment, options));
    }

    /// <summary>Creates a private channel of <typeparamref name="T"/> messages and becomes its writer (see <see cref="CreatePrivateWriter"/>).</summary>
    /// <inheritdoc cref="CreatePrivateWriter"/>
    public static SharedChannelWriter<T> CreatePrivateWriter<T>(string name, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T>
    {
        options ??= SharedChannelOptions.Default;
        return new(Attach(SharedSegment.CreateSealed(name, options, T.Layout), segment => new SharedChannelWriter(segment, options)));
    }

    /// <summary>Creates a private channel of <typeparamref name="T"/> messages and becomes its reader (see <see cref="CreatePrivateWriter"/>).</summary>
    /// <inheritdoc cref="CreatePrivateWriter"/>
    public static SharedChannelReader<T> CreatePrivateReader<T>(string name, SharedChannelOptions? options = null) where T : unmanaged, IChannelMessage<T>
    {
        options ??= SharedChannelOptions.Default;
        return new(Attach(SharedSegment.CreateSealed(name, options, T.Layout), segment => new SharedChannelReader(segment, options)));
    }

    /// <summary>Opens the channel behind a passed descriptor (seals already checked) as its reader; the caller keeps <paramref name="passed"/>.</summary>
    internal static SharedChannelReader OpenPassedReader(int passed, string name, SharedChannelOptions? options, MessageLayout? schema)
    {
        options ??= SharedChannelOptions.Default;
        return Attach(OpenPassed(passed, name, schema), segment =>
        {
            if (segment.Geometry.Topology == ChannelTopology.Broadcast)
            {
                segment.ProtectDataReadOnly(); // as a sealed reader: a subscriber's stray write faults here
            }

            return new SharedChannelReader(segment, options);
        });
    }

    /// <summary>Opens the channel behind a passed descriptor (seals already checked) as a writer; the caller keeps <paramref name="passed"/>.</summary>
    internal static SharedChannelWriter OpenPassedWriter(int passed, string name, SharedChannelOptions? options, MessageLayout? schema)
    {
        options ??= SharedChannelOptions.Default;
        return Attach(OpenPassed(passed, name, schema), segment => new SharedChannelWriter(segment, options));
    }

    // Checks the seals again (nothing about a passed descriptor is taken on trust twice removed), reopens it as this
    // process's own open file description, and validates the header like any open.
    private static SharedSegment OpenPassed(int passed, string name, MessageLayout? schema)
    {
        try
        {
            ChannelName.Validate(name);
        }
        catch (ArgumentException e)
        {
            throw new HandleTransferException($"A passed channel has an invalid name: {e.Message}");
        }

        SealedMemfd.RequireSealed(passed, "a passed channel");
        return SharedSegment.OpenSealed(SealedMemfd.Reopen(passed, "a passed channel"), name, schema);
    }
}
