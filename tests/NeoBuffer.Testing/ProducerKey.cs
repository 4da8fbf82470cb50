namespace NeoBuffer.Testing;

/// <summary>Record keys that tell which producer wrote a record and its place in that producer's stream.</summary>
public static class ProducerKey
{
    private const long Stride = 1_000_000_000_000;

    public static long Of(long producer, long sequence) => producer * Stride + sequence;

    public static long ProducerOf(long key) => key / Stride;

    public static long SequenceOf(long key) => key % Stride;
}
