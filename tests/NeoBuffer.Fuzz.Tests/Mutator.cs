using System;
using System.Buffers.Binary;

namespace NeoBuffer.Fuzz.Tests;

/// <summary>
/// Deterministic mutations of a seed, the kinds that reach decoder edges: bit flips, bytes set to boundary values,
/// 32-bit fields (lengths, offsets, types, descriptors) set to edge values at 4-aligned places of the header, message
/// or ring image, truncation and extension.
/// </summary>
internal sealed class Mutator
{
    private static readonly byte[] EdgeBytes = [0x00, 0x01, 0x07, 0x08, 0x7F, 0x80, 0xFE, 0xFF];

    private static readonly int[] EdgeInts =
    [
        0, 1, -1, 4, 7, 8, 9, 15, 16, 17, 24, 40, 63, 64, 65, 1023, 1024, 1904, 1905, 2048, 4088, 4096, 4097,
        0x800, 0x1000, short.MaxValue, ushort.MaxValue, int.MaxValue, int.MinValue, int.MaxValue - 7, -8,
    ];

    private readonly Random _random;

    public Mutator(int seed) => _random = new Random(seed);

    public byte[] Mutate(byte[] seed)
    {
        byte[] bytes = (byte[])seed.Clone();
        int rounds = 1 + _random.Next(4);
        for (int i = 0; i < rounds; i++)
        {
            bytes = MutateOnce(bytes);
        }

        return bytes;
    }

    private byte[] MutateOnce(byte[] bytes)
    {
        switch (_random.Next(6))
        {
            case 0 when bytes.Length > 0:
                bytes[_random.Next(bytes.Length)] ^= (byte)(1 << _random.Next(8));
                return bytes;
            case 1 when bytes.Length > 0:
                bytes[_random.Next(bytes.Length)] = EdgeBytes[_random.Next(EdgeBytes.Length)];
                return bytes;
            case 2:
            case 3:
                {
                    // Ring images put their records 9 bytes in (the control block); headers and messages at 0.
                    int origin = _random.Next(2) == 0 ? 0 : RingInput.ControlSize;
                    int slots = (bytes.Length - origin - 4) / 4;
                    if (slots > 0)
                    {
                        int at = origin + 4 * _random.Next(Math.Min(slots, 64 + _random.Next(slots)));
                        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), EdgeInts[_random.Next(EdgeInts.Length)]);
                    }

                    return bytes;
                }

            case 4 when bytes.Length > 0:
                return bytes.AsSpan(0, _random.Next(bytes.Length)).ToArray();
            default:
                {
                    byte[] longer = new byte[bytes.Length + 1 + _random.Next(64)];
                    bytes.CopyTo(longer, 0);
                    _random.NextBytes(longer.AsSpan(bytes.Length));
                    return longer;
                }
        }
    }
}
