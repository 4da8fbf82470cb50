using System;
using System.Collections.Generic;
using CsCheck;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>Writer and reader in one process over a real segment: framing, wrap, claim and lease semantics.</summary>
public sealed class InProcessRingTests
{
    [Fact]
    public void Random_record_sizes_survive_many_wraps_intact()
    {
        Gen.Int[16, 3000].List[200, 2000].Sample(lengths =>
        {
            using var channel = new TestChannel("wrap");
            using SharedChannelReader reader = SharedChannel.CreateReader(channel.Name, channel.Options(capacity: 8192, maxMessageSize: 3000));
            using SharedChannelWriter writer = SharedChannel.OpenWriter(channel.Name, channel.Options());
            var pending = new Queue<byte[]>();
            var random = new Random(lengths.Count);
            foreach (int length in lengths)
            {
                byte[] payload = new byte[length];
                random.NextBytes(payload);
                while (!writer.TryWrite(payload))
                {
                    // Full: drain one so the ring keeps wrapping with records of mixed sizes in flight.
                    AssertNext(reader, pending.Dequeue());
                }

                pending.Enqueue(payload);
            }

            while (pending.Count > 0)
            {
                AssertNext(reader, pending.Dequeue());
            }

            Assert.False(reader.TryLease(out _));
        }, iter: 20);
    }

    [Fact]
    public void A_claim_is_filled_in_place_and_the_lease_sees_the_same_bytes()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());

        Assert.True(writer.TryClaim(5, out WriteClaim claim));
        "hello"u8.CopyTo(claim.Payload);
        Assert.False(reader.TryLease(out _)); // nothing is visible before the commit
        claim.Commit();

        Assert.True(reader.TryLease(out ReadLease lease));
        Assert.Equal("hello"u8.ToArray(), lease.Payload.ToArray());
        lease.Dispose();
    }

    [Fact]
    public void Large_payloads_start_on_a_cache_line()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 1 << 16));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        for (int i = 0; i < 100; i++)
        {
            int length = 1024 + (i * 136 % 9000);
            Assert.True(writer.TryWrite(new byte[length]));
            Assert.True(reader.TryLease(out ReadLease lease));
            unsafe
            {
                fixed (byte* p = lease.Payload)
                {
                    Assert.Equal(0, (long)p % 64);
                }
            }

            lease.Dispose();
        }
    }

    [Fact]
    public void An_aborted_claim_is_never_seen_and_its_space_is_reused()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());

        Assert.True(writer.TryClaim(8, out WriteClaim aborted));
        aborted.Payload.Fill(0xEE);
        aborted.Abort();
        using (WriteClaim disposedUncommitted = writer.Claim(8, TimeSpan.FromSeconds(20)))
        {
            disposedUncommitted.Payload.Fill(0xDD); // dispose without commit aborts
        }

        Assert.True(writer.TryWrite("ok"u8));
        Assert.True(reader.TryLease(out ReadLease lease));
        Assert.Equal("ok"u8.ToArray(), lease.Payload.ToArray());
        lease.Dispose();
        Assert.False(reader.TryLease(out _));
    }

    [Fact]
    public void A_copy_of_an_ended_claim_can_neither_end_the_next_claim_nor_commit_without_one()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());

        // A WriteClaim is a struct: the copy still holds the writer after the original is committed.
        Assert.True(writer.TryClaim(16, out WriteClaim first));
        first.Payload.Fill(1);
        WriteClaim staleCommit = first;
        WriteClaim staleAbort = first;
        first.Commit();

        Assert.True(Refused(ref staleCommit, commit: true)); // no claim open: the ring would write before its start
        Assert.True(writer.TryClaim(8, out WriteClaim second));
        second.Payload.Fill(2);
        Assert.True(Refused(ref staleCommit, commit: true)); // would publish the 8-byte claim as 16 bytes
        Assert.True(Refused(ref staleAbort, commit: false)); // would throw the open claim away
        second.Commit();

        ExpectLease(reader, 16, 1);
        ExpectLease(reader, 8, 2);
        Assert.False(reader.TryLease(out _));
    }

    private static bool Refused(ref WriteClaim claim, bool commit)
    {
        WriteClaim attempt = claim; // each attempt on a fresh copy: a refused one must not use the original up
        try
        {
            if (commit)
            {
                attempt.Commit();
            }
            else
            {
                attempt.Abort();
            }

            return false;
        }
        catch (InvalidOperationException e)
        {
            Assert.Contains("already committed or aborted", e.Message);
            return true;
        }
    }

    private static void ExpectLease(SharedChannelReader reader, int length, byte fill)
    {
        Assert.True(reader.TryLease(out ReadLease lease));
        using (lease)
        {
            Assert.Equal(length, lease.Payload.Length);
            Assert.True(lease.Payload.IndexOfAnyExcept(fill) < 0);
        }
    }

    [Fact]
    public void Committing_twice_is_an_error()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        Assert.True(writer.TryClaim(4, out WriteClaim claim));
        claim.Commit();
        bool threw = false;
        try
        {
            claim.Commit();
        }
        catch (InvalidOperationException)
        {
            threw = true;
        }

        Assert.True(threw, "a second commit of one claim did not throw");
    }

    [Fact]
    public void A_second_claim_while_one_is_open_is_an_error()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        Assert.True(writer.TryClaim(4, out WriteClaim claim));
        var error = Assert.Throws<InvalidOperationException>(() => writer.TryClaim(4, out _));
        Assert.Contains("commit or abort", error.Message);
        claim.Abort();
    }

    [Fact]
    public void A_second_read_while_a_lease_is_held_is_an_error()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.TryWrite("a"u8);
        writer.TryWrite("b"u8);
        Assert.True(reader.TryLease(out ReadLease lease));
        Assert.Throws<InvalidOperationException>(() => reader.TryLease(out _));
        lease.Dispose();
        Assert.True(reader.TryLease(out ReadLease next));
        Assert.Equal("b"u8.ToArray(), next.Payload.ToArray());
        next.Dispose();
    }

    [Fact]
    public void A_full_ring_refuses_TryWrite_until_the_reader_frees_space()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 1016));
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        byte[] payload = new byte[1016];
        int written = RingFill.UntilRefused(writer, payload);
        Assert.Equal(3, written); // four 1024-byte records would leave no room for the zero header after the last
        Assert.True(reader.TryLease(out ReadLease lease));
        lease.Dispose();
        Assert.True(writer.TryWrite(payload));
    }

    [Fact]
    public void A_message_above_the_maximum_is_refused_with_the_limit_in_the_message()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options(capacity: 4096, maxMessageSize: 100));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => writer.TryWrite(new byte[101]));
        Assert.Contains("100 bytes", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.TryClaim(-1, out _));
        Assert.Equal(100, writer.MaxMessageSize);
    }

    [Fact]
    public void Unmanaged_values_round_trip_by_copy()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        var sent = new Sample(42, 3.5, 7);
        Assert.True(writer.TryWrite(sent));
        Assert.True(reader.TryRead(out Sample received));
        Assert.Equal(sent, received);
    }

    [Fact]
    public void Reading_a_value_of_the_wrong_size_leaves_the_message_unread()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        Assert.True(writer.TryWrite(12345L));
        var error = Assert.Throws<MessageFormatException>(() => reader.TryRead(out Sample _));
        Assert.Contains("8 bytes", error.Message);
        Assert.True(reader.TryRead(out long value));
        Assert.Equal(12345L, value);
    }

    [Fact]
    public void Empty_messages_are_messages()
    {
        using var channel = new TestChannel();
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        Assert.True(writer.TryWrite(ReadOnlySpan<byte>.Empty));
        Assert.True(reader.TryLease(out ReadLease lease));
        Assert.Equal(0, lease.Length);
        lease.Dispose();
    }

    private static void AssertNext(SharedChannelReader reader, byte[] expected)
    {
        Assert.True(reader.TryLease(out ReadLease lease), "a committed record was not readable");
        using (lease)
        {
            Assert.True(lease.Payload.SequenceEqual(expected), $"record of {expected.Length} bytes came back different");
        }
    }

    private readonly record struct Sample(int Id, double Value, short Flags);
}
