using System;
using System.IO;
using NeoBuffer.Format;
using NeoBuffer.Ring;
using NeoBuffer.Segments;

namespace NeoBuffer.Fuzz;

/// <summary>
/// Real rings for the record walk: two segments made once through the runtime's own <see cref="SharedSegment.Create"/>
/// (4096-byte rings, one with the largest payload that capacity allows, one with a 64-byte limit), in a private
/// directory whose files are unlinked at once, so a fuzzer that is killed leaves nothing behind. The mappings live for
/// the process. Each <see cref="RingMemory"/> is built by its ordinary constructor, with local copies of the geometry.
/// </summary>
internal static class FuzzRings
{
    public const long Capacity = 4096;
    public const int SmallMaxPayload = 64;

    private static readonly Lazy<RingMemory[]> Rings = new(Create);

    /// <summary>Serialises the walks: every ring is one shared buffer.</summary>
    public static object Gate { get; } = new();

    /// <summary>Ring by index: bit 0 sequenced (broadcast) frame, bit 1 the small payload limit.</summary>
    public static RingMemory Get(int index) => Rings.Value[index & 3];

    private static RingMemory[] Create()
    {
        string directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"neobuffer-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        try
        {
            SharedSegment large = Make(directory, "fuzz-large", SharedChannelOptions.LargestMessageFor(Capacity));
            SharedSegment small = Make(directory, "fuzz-small", SmallMaxPayload);
            return
            [
                new RingMemory(large, RecordFraming.PlainFrame),
                new RingMemory(large, RecordFraming.SequencedFrame),
                new RingMemory(small, RecordFraming.PlainFrame),
                new RingMemory(small, RecordFraming.SequencedFrame),
            ];
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static SharedSegment Make(string directory, string name, int maxPayload)
    {
        var options = new SharedChannelOptions { Directory = directory, Capacity = Capacity, MaxMessageSize = maxPayload };
        SharedSegment segment = SharedSegment.Create(name, options, schema: null);
        File.Delete(segment.Path);
        return segment;
    }
}
