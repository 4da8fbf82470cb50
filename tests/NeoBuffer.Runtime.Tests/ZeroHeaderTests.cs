using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// The SPSC consumer tells a committed record from an older lap's bytes by the zero header at the producer's tail, so
/// the 8 bytes after each record must be zero before the record's header is published (docs/format.md, "SPSC
/// protocol"). Checked at the point just before that header's release store, on a ring whose every byte an earlier lap
/// left non-zero: a zero stored at the commit after the header, or not stored for this claim, shows here every time.
/// </summary>
public sealed unsafe class ZeroHeaderTests
{
    private const int Capacity = 4096;

    [Fact]
    public void The_header_after_each_record_is_zero_before_the_record_is_published()
    {
        using var channel = new TestChannel("zero");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: Capacity, maxMessageSize: 1000));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        byte* ring = null; // the first record of a fresh ring starts at its first byte
        long endOffset = 0;
        int checkedRecords = 0;
        using (ProtocolPoint.OnThisThread(name =>
        {
            if (name == ProtocolPoint.SpscPublishing)
            {
                Assert.True(*(long*)(ring + endOffset) == 0, $"record {checkedRecords}: the header after it is not zero when the record is published");
                checkedRecords++;
            }
        }))
        {
            for (int round = 0; round < 300; round++)
            {
                // Claims under 1024 bytes take no alignment padding; some commit less than they claimed, some abort first.
                int claimed = 9 + (round * 29 % 900);
                int committed = round % 3 == 0 ? 1 + (round % claimed) : claimed;
                if (round % 5 == 0)
                {
                    WriteClaim aborted = writer.Claim(claimed + 50, TimeSpan.FromSeconds(20));
                    aborted.Payload.Fill(0xC3);
                    aborted.Abort();
                }

                WriteClaim claim = writer.Claim(claimed, TimeSpan.FromSeconds(20));
                claim.Payload.Fill(0xC3);
                byte* payload = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(claim.Payload));
                if (ring == null)
                {
                    ring = payload - RecordHeader.Size;
                }

                endOffset = (payload - RecordHeader.Size - ring + RecordFraming.Footprint(committed)) & (Capacity - 1);
                claim.Commit(committed);

                Assert.True(reader.TryLease(out ReadLease lease));
                Assert.Equal(committed, lease.Length);
                lease.Dispose();
                Assert.False(reader.TryLease(out _));
            }
        }

        Assert.Equal(300, checkedRecords);
    }
}
