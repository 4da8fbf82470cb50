using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeoBuffer.Requests;

/// <summary>
/// Which request-ring records a server reads at all. Any process that can open the request ring as a writer can write
/// any bytes into a record's payload (the ring checks only its own framing), so before the server looks at a record's
/// kind, client or token it checks that the record is one this library writes: an envelope, a known kind, and for a
/// request a message of a length the request type can have. A record that is not is refused and counted
/// (<see cref="SharedServer{TRequest, TResponse}.RefusedRecords"/>): no handler ever sees it, no client is answered
/// for it, and the server reads on.
/// </summary>
internal static class RequestRecord
{
    /// <summary>
    /// Reads the envelope of <paramref name="payload"/> if the record has one and is of a known kind; false (nothing to
    /// act on, nobody to answer) when it is shorter than an envelope or of another kind.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> payload, out RequestEnvelope envelope)
    {
        if (payload.Length < RequestEnvelope.Size)
        {
            envelope = default;
            return false;
        }

        // Read once into a local: a writer changing the shared bytes meanwhile cannot make the checked kind differ from
        // the one acted on.
        envelope = MemoryMarshal.Read<RequestEnvelope>(payload);
        return envelope.Kind is RequestKind.Request or RequestKind.Connect or RequestKind.Disconnect;
    }

    /// <summary>
    /// Null when <paramref name="message"/> (a request record's bytes after the envelope) has a length a
    /// <typeparamref name="TRequest"/> can have, as its readers check it; else why not, for the client's failure. A type
    /// copied whole is exactly its size (what <see cref="IncomingRequest{TRequest, TResponse}.Message"/> reads); one
    /// with variable-length fields has at least its fixed block (the generated view checks each field's bounds as it
    /// reads it); a versioned one has its prefix and a block length inside the record (writers of older and newer
    /// versions write other lengths, so only the prefix can be checked here).
    /// </summary>
    public static string? MessageProblem<TRequest>(ReadOnlySpan<byte> message)
        where TRequest : unmanaged, IChannelMessage<TRequest>
    {
        MessageLayout layout = TRequest.Layout;
        if (layout.IsCopiedWhole)
        {
            return message.Length == Unsafe.SizeOf<TRequest>()
                ? null
                : $"The server refused the request: it has {message.Length} bytes, but a {layout.Name} has {Unsafe.SizeOf<TRequest>()}.";
        }

        if (layout.Version == 0)
        {
            return message.Length >= layout.FixedSize
                ? null
                : $"The server refused the request: it has {message.Length} bytes, less than the {layout.FixedSize}-byte fixed block of a {layout.Name}.";
        }

        return message.Length >= MessageBlock.PrefixSize && MemoryMarshal.Read<uint>(message) <= (uint)(message.Length - MessageBlock.PrefixSize)
            ? null
            : $"The server refused the request: its {message.Length} bytes do not start with a {layout.Name} block prefix whose block fits in them.";
    }
}
