using System;

namespace NeoBuffer.Testing;

/// <summary>
/// Reads a channel's tagged records and checks each: every byte against its checksum, then its producer and sequence
/// into a <see cref="SequenceTally"/>. A lossy subscriber's lease found overwritten after reading is dropped as torn
/// (the channel counts it in <see cref="SharedChannelReader.LostMessages"/>, and its sequence number becomes a gap).
/// </summary>
public sealed class CheckedReader(SharedChannelReader reader, SlowPace? pace = null)
{
    public SequenceTally Tally { get; } = new();

    /// <summary>Records that failed their check although the channel did not flag them as overwritten.</summary>
    public long Corrupt { get; private set; }

    /// <summary>Lossy leases the producer overwrote while they were read.</summary>
    public long Torn { get; private set; }

    public string? FirstError { get; private set; }

    public SharedChannelReader Reader => reader;

    /// <summary>Reads what is in the ring now, at most <paramref name="max"/> records; returns how many it read.</summary>
    public int ReadAvailable(int max = int.MaxValue)
    {
        int read = 0;
        while (read < max && reader.TryLease(out ReadLease lease))
        {
            string? error;
            long producer, sequence;
            using (lease)
            {
                error = TaggedRecord.Check(lease.Payload, out producer, out sequence);
                if (lease.IsOverwritten)
                {
                    Torn++;
                    read++;
                    continue;
                }
            }

            read++;
            if (error is not null)
            {
                Corrupt++;
                FirstError ??= error;
            }
            else
            {
                Tally.Accept(producer, sequence);
            }

            pace?.AfterRecord();
        }

        return read;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a record; false when none came (or the channel completed).</summary>
    public bool WaitForRecord(TimeSpan timeout)
    {
        try
        {
            return reader.WaitToRead(timeout);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
