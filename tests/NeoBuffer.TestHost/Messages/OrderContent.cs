using System;
using System.Text;

namespace NeoBuffer.TestHost.Messages;

/// <summary>
/// What order N of a test stream holds, so that a writer of either version builds it and a reader of either version
/// checks every field it can see from the sequence alone. A record from a version 2 writer has the version 2 fields;
/// one from a version 1 writer must read them as absent.
/// </summary>
public static class OrderContent
{
    public static string Symbol(long sequence) => $"SYM-{sequence}-€";

    public static int Quantity(long sequence) => (int)(sequence * 3 + 1);

    public static Venue Venue(long sequence) => sequence % 2 == 0 ? Messages.Venue.Xnys : Messages.Venue.Xlon;

    public static double Price(long sequence) => sequence * 0.5 + 100;

    public static byte[] Note(long sequence) => Encoding.ASCII.GetBytes(new string('n', (int)(sequence % 7)) + sequence);

    public static void Write(SharedChannelWriter<OrderV1> writer, long sequence)
    {
        string symbol = Symbol(sequence);
        OrderV1.Builder order = OrderV1.Builder.Claim(writer, Encoding.UTF8.GetByteCount(symbol), TimeSpan.FromSeconds(60));
        order.Sequence = sequence;
        order.Quantity = Quantity(sequence);
        Encoding.UTF8.GetBytes(symbol, order.SymbolUtf8);
        order.Commit();
    }

    public static void Write(SharedChannelWriter<OrderV2> writer, long sequence)
    {
        string symbol = Symbol(sequence);
        byte[] note = Note(sequence);
        OrderV2.Builder order = OrderV2.Builder.Claim(writer, Encoding.UTF8.GetByteCount(symbol), note.Length, TimeSpan.FromSeconds(60));
        order.Sequence = sequence;
#pragma warning disable CS0618 // a version 2 writer still fills the obsolete field for version 1 readers
        order.Quantity = Quantity(sequence);
#pragma warning restore CS0618
        Encoding.UTF8.GetBytes(symbol, order.SymbolUtf8);
        order.Venue = Venue(sequence);
        order.Price = Price(sequence);
        note.CopyTo(order.Note);
        order.Commit();
    }

    /// <summary>Checks a record through the version 1 view; returns its sequence.</summary>
    public static long Check(OrderV1.View order)
    {
        long sequence = order.Sequence;
        Expect(sequence, "Quantity", Quantity(sequence), order.Quantity);
        Expect(sequence, "Symbol", Symbol(sequence), order.Symbol);
        return sequence;
    }

    /// <summary>
    /// Checks a record through the version 2 view, expecting the version 2 fields exactly when
    /// <paramref name="fromVersion2"/> says a version 2 writer wrote it; returns its sequence.
    /// </summary>
    public static long Check(OrderV2.View order, Func<long, bool> fromVersion2)
    {
        long sequence = order.Sequence;
#pragma warning disable CS0618 // the obsolete field is still there to read
        Expect(sequence, "Quantity", Quantity(sequence), order.Quantity);
#pragma warning restore CS0618
        Expect(sequence, "Symbol", Symbol(sequence), order.Symbol);
        bool present = fromVersion2(sequence);
        Expect(sequence, "HasVenue", present, order.HasVenue);
        Expect(sequence, "HasPrice", present, order.HasPrice);
        Expect(sequence, "HasNote", present, order.HasNote);
        Expect(sequence, "Venue", present ? Venue(sequence) : default, order.Venue);
        Expect(sequence, "Price", present ? Price(sequence) : 0.0, order.Price);
        Expect(sequence, "Note", Convert.ToHexString(present ? Note(sequence) : Array.Empty<byte>()), Convert.ToHexString(order.Note));
        return sequence;
    }

    private static void Expect<T>(long sequence, string field, T expected, T actual)
    {
        if (!Equals(expected, actual))
        {
            throw new InvalidOperationException($"order {sequence}: {field} is '{actual}', expected '{expected}'");
        }
    }
}
