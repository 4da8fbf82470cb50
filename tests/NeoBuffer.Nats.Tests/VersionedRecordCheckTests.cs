using System;

namespace NeoBuffer.Nats.Tests;

/// <summary>Version 1 of a versioned message the bridge's record check must accept from writers of either version.</summary>
[ChannelMessage(Name = "NeoBuffer.Nats.Tests.Versioned", Version = 1)]
public partial struct VersionedV1
{
    public long Sequence;
    public VarUtf8 Text;
}

/// <summary>Version 2: a variable-length field appended.</summary>
[ChannelMessage(Name = "NeoBuffer.Nats.Tests.Versioned", Version = 2)]
public partial struct VersionedV2
{
    public long Sequence;
    public VarUtf8 Text;
    [Since(2)] public VarBytes Extra;
}

/// <summary>
/// The inbound bridge checks a record of a versioned message after its block prefix: descriptors against the block
/// the record says it has, fields of later versions skipped, a hostile block length refused. No server needed.
/// </summary>
public sealed class VersionedRecordCheckTests
{
    [Fact]
    public void Records_of_both_versions_pass_and_a_hostile_block_or_descriptor_does_not()
    {
        var check = new RecordCheck(VersionedV2.Layout);
        byte[] older = new byte[VersionedV1.Builder.LengthFor(3)];
        "abc"u8.CopyTo(new VersionedV1.Builder(older, 3).TextUtf8);
        byte[] newer = new byte[VersionedV2.Builder.LengthFor(3, 5)];
        _ = new VersionedV2.Builder(newer, 3, 5);

        Assert.Null(check.Problem(older));
        Assert.Null(check.Problem(newer));

        byte[] hostileBlock = (byte[])older.Clone();
        BitConverter.TryWriteBytes(hostileBlock.AsSpan(0, 4), 4096u);
        Assert.Contains("block prefix", check.Problem(hostileBlock));

        byte[] hostileDescriptor = (byte[])older.Clone();
        BitConverter.TryWriteBytes(hostileDescriptor.AsSpan(8 + 8, 4), 0u); // Text pointed into the fixed block
        Assert.Contains("outside the record's tail", check.Problem(hostileDescriptor));
        Assert.Contains("block prefix", check.Problem(new byte[5]));
    }

    [Fact]
    public void A_block_length_below_the_first_versions_fields_is_refused_as_a_reader_would()
    {
        // Every record of the message has its first version's fields (Sequence and Text end at 16): a block that
        // says fewer makes the reader's view throw, so the record must not reach the ring.
        var check = new RecordCheck(VersionedV2.Layout);
        byte[] older = new byte[VersionedV1.Builder.LengthFor(0)];
        _ = new VersionedV1.Builder(older, 0);
        foreach (uint block in new[] { 0u, 8u, 15u })
        {
            byte[] shortBlock = (byte[])older.Clone();
            BitConverter.TryWriteBytes(shortBlock.AsSpan(0, 4), block);
            Assert.Throws<MessageFormatException>(() => new VersionedV2.View(shortBlock).Sequence);
            Assert.Contains("first version", check.Problem(shortBlock));
        }
    }
}
