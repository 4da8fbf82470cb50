using System;

namespace NeoBuffer.Fuzz;

/// <summary>
/// (c) The input as a <see cref="FuzzMessage"/> record, through its generated view, reading every field (each var
/// field as bytes and, for the text, decoded). Only <see cref="MessageFormatException"/> is expected. Every span a view
/// hands out must lie inside the record.
/// </summary>
public static class ViewStage
{
    private static long s_sink;

    /// <summary>Returns whether the view read every field without a <see cref="MessageFormatException"/>.</summary>
    public static bool Run(ReadOnlySpan<byte> record)
    {
        try
        {
            var view = new FuzzMessage.View(record);
            long sum = view.Id + view.Count + (view.Flag ? 1 : 0) + view.Kind;
            sum += Inside(record, view.Blob, "Blob");
            sum += Inside(record, view.NameUtf8, "Name");
            sum += view.Name.Length;
            ReadOnlySpan<int> values = view.Values;
            sum += Inside(record, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values), "Values");
            foreach (int value in values)
            {
                sum += value;
            }

            System.Threading.Volatile.Write(ref s_sink, sum);
            return true;
        }
        catch (MessageFormatException)
        {
            return false;
        }
    }

    private static int Inside(ReadOnlySpan<byte> record, ReadOnlySpan<byte> field, string name)
    {
        if (field.IsEmpty)
        {
            return 0;
        }

        if (!record.Overlaps(field, out int offset) || offset < FuzzMessage.Layout.FixedSize || offset + field.Length > record.Length)
        {
            throw new FuzzFindingException($"the view's '{name}' span ({field.Length} bytes) is not inside the tail of the {record.Length}-byte record");
        }

        int sum = 0;
        foreach (byte b in field)
        {
            sum += b;
        }

        return sum;
    }
}
