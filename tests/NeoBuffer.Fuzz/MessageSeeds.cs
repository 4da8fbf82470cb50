using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;

namespace NeoBuffer.Fuzz;

/// <summary><see cref="FuzzMessage"/> records made by its generated builder, and malformed ones made from them.</summary>
internal static class MessageSeeds
{
    // Descriptor offsets in the fixed block (FuzzMessage.Layout): Blob, Name, Values.
    private static int DescriptorOf(string field)
    {
        foreach (MessageField f in FuzzMessage.Layout.Fields)
        {
            if (f.Name == field)
            {
                return f.Offset;
            }
        }

        throw new InvalidOperationException(field);
    }

    public static IEnumerable<(string Name, byte[] Bytes)> All()
    {
        byte[] full = Build(7, [1, 2, 3], "héllo", [10, -20, 30]);
        yield return ("message-empty", Build(0, [], string.Empty, []));
        yield return ("message-full", full);
        yield return ("message-blob-only", Build(1, new byte[33], string.Empty, []));
        yield return ("message-values-only", Build(2, [], string.Empty, [int.MinValue, int.MaxValue, 0, 1, -1]));
        yield return ("message-text-only", Build(3, [], "κόσμε ✓ text", []));
        yield return ("message-tail-cut", full.AsSpan(0, FuzzMessage.Layout.FixedSize).ToArray());
        yield return ("message-too-short", full.AsSpan(0, FuzzMessage.Layout.FixedSize - 1).ToArray());
        yield return ("message-invalid-utf8", With(full, b => Tail(b, "Name")[0] = 0xFF));
        yield return ("message-offset-overflow", With(full, b => Descriptor(b, "Blob", 0xFFFF_FFF8, 16)));
        yield return ("message-offset-in-fixed", With(full, b => Descriptor(b, "Name", 0, 4)));
        yield return ("message-values-misaligned", With(full, b => Descriptor(b, "Values", (uint)FuzzMessage.Layout.FixedSize + 2, 4)));
        yield return ("message-values-odd-length", With(full, b => Descriptor(b, "Values", (uint)FuzzMessage.Layout.FixedSize, 6)));
        yield return ("message-length-past-end", With(full, b => Descriptor(b, "Blob", (uint)FuzzMessage.Layout.FixedSize, (uint)b.Length)));
        yield return ("message-zero-length-anywhere", With(full, b => Descriptor(b, "Values", uint.MaxValue, 0)));
    }

    public static byte[] Build(long id, byte[] blob, string name, int[] values)
    {
        byte[] text = Encoding.UTF8.GetBytes(name);
        byte[] record = new byte[FuzzMessage.Builder.LengthFor(blob.Length, text.Length, values.Length)];
        var builder = new FuzzMessage.Builder(record, blob.Length, text.Length, values.Length);
        builder.Id = id;
        builder.Count = values.Length;
        builder.Flag = (id & 1) != 0;
        builder.Kind = (byte)id;
        blob.CopyTo(builder.Blob);
        text.CopyTo(builder.NameUtf8);
        values.CopyTo(builder.Values);
        return record;
    }

    private static Span<byte> Tail(byte[] record, string field)
    {
        int at = DescriptorOf(field);
        return record.AsSpan((int)BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(at)));
    }

    private static void Descriptor(byte[] record, string field, uint offset, uint length)
    {
        int at = DescriptorOf(field);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(at), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(at + 4), length);
    }

    private static byte[] With(byte[] source, Action<byte[]> change)
    {
        byte[] copy = (byte[])source.Clone();
        change(copy);
        return copy;
    }
}
