using System;

namespace NeoBuffer;

/// <summary>
/// Space claimed in the ring for one message: fill <see cref="Payload"/> in place, then <see cref="Commit()"/>. Disposing
/// a claim that was not committed aborts it, so <c>using</c> never publishes a half-written message.
/// </summary>
public ref struct WriteClaim
{
    private SharedChannelWriter? _writer;
    private readonly long _number;

    internal WriteClaim(SharedChannelWriter writer, long number, Span<byte> payload)
    {
        _writer = writer;
        _number = number;
        Payload = payload;
    }

    /// <summary>The claimed bytes, in shared memory. Their initial content is unspecified: write every byte you publish.</summary>
    public Span<byte> Payload { get; private set; }

    /// <summary>Length of <see cref="Payload"/> in bytes.</summary>
    public readonly int Length => Payload.Length;

    /// <summary>Publishes the message to the reader.</summary>
    /// <exception cref="InvalidOperationException">The claim was already committed or aborted (through this value or a copy of it).</exception>
    public void Commit()
    {
        int length = Payload.Length; // Finish clears it
        Finish().CommitClaim(length, _number);
    }

    /// <summary>
    /// Publishes the first <paramref name="length"/> bytes of <see cref="Payload"/> as the message, for a writer that
    /// claimed the most it might need and wrote less: the reader sees a message of exactly <paramref name="length"/>
    /// bytes, and the rest of the claim goes back to the ring (or, on a multi-producer channel, is skipped as padding).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative or longer than the claim; the claim stays open.</exception>
    /// <exception cref="InvalidOperationException">The claim was already committed or aborted.</exception>
    public void Commit(int length)
    {
        if ((uint)length > (uint)Payload.Length)
        {
            ThrowCommitLength(length, Payload.Length);
        }

        Finish().CommitClaim(length, _number);
    }

    /// <summary>Gives the space back without publishing anything.</summary>
    /// <exception cref="InvalidOperationException">The claim was already committed or aborted.</exception>
    public void Abort()
    {
        Finish().AbortClaim(_number);
    }

    /// <summary>Aborts the claim unless it was committed.</summary>
    public void Dispose()
    {
        if (_writer is not null)
        {
            Abort();
        }
    }

    /// <summary>Throws for a commit of <paramref name="length"/> bytes out of a claim of <paramref name="claimed"/>.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    internal static void ThrowCommitLength(int length, int claimed) =>
        throw new ArgumentOutOfRangeException(nameof(length), length,
            $"Cannot commit {length} bytes of a claim of {claimed} bytes: commit between 0 and the claimed length, or claim more.");

    private SharedChannelWriter Finish()
    {
        SharedChannelWriter writer = _writer ?? throw new InvalidOperationException("This claim was already committed or aborted.");
        _writer = null;
        Payload = default;
        return writer;
    }
}
