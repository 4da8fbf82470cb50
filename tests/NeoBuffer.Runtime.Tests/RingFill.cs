using System;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// "Write until refused" and "read until empty", bounded by what a ring can hold (every record takes at least 8
/// bytes): a writer whose room check is broken, or a reader that does not advance, fails the test instead of
/// looping for ever.
/// </summary>
internal static class RingFill
{
    /// <summary>Writes <paramref name="payload"/> until the writer refuses it; returns how many it took.</summary>
    public static int UntilRefused(SharedChannelWriter writer, ReadOnlySpan<byte> payload)
    {
        long most = writer.Capacity / 8;
        for (int written = 0; written <= most; written++)
        {
            if (!writer.TryWrite(payload))
            {
                return written;
            }
        }

        throw new InvalidOperationException($"The writer accepted more than {most} messages into a {writer.Capacity}-byte ring without refusing one: its room check is broken.");
    }

    /// <summary>Reads (and releases) until the reader has nothing; returns how many it read.</summary>
    public static int Drain(SharedChannelReader reader, long capacity)
    {
        long most = capacity / 8;
        for (int read = 0; read <= most; read++)
        {
            if (!reader.TryLease(out ReadLease lease))
            {
                return read;
            }

            lease.Dispose();
        }

        throw new InvalidOperationException($"The reader returned more than {most} messages from a {capacity}-byte ring without running dry: it does not advance.");
    }
}
