namespace NeoBuffer.Ring;

/// <summary>
/// What both sides of every ring protocol start from: the ring as this process validated it at open. The address, the
/// capacity and the header pointer are local copies, never re-read from shared memory.
/// </summary>
internal abstract unsafe class RingSide
{
    protected RingSide(RingMemory memory)
    {
        Memory = memory;
        Header = memory.Header;
        Capacity = memory.Capacity;
    }

    /// <summary>The ring as this process validated it at open.</summary>
    protected RingMemory Memory { get; }

    protected Format.ChannelHeader* Header { get; }

    /// <summary>The capacity validated at open (a local copy, never re-read from the header).</summary>
    protected long Capacity { get; }
}
