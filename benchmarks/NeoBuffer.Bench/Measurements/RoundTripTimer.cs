using System;

namespace NeoBuffer.Bench.Measurements;

/// <summary>
/// Collects round-trip samples in blocks: the first <c>warmup</c> samples are dropped (JIT, page faults, the peer
/// starting), then every <c>blockSize</c> samples fill one block. All storage is allocated up front, so recording a
/// sample never allocates while the clock runs.
/// </summary>
internal sealed class RoundTripTimer
{
    private readonly LatencySamples[] _blocks;
    private readonly int _blockSize;
    private int _toSkip;
    private int _recorded;

    public RoundTripTimer(int warmup, int blockSize, int blocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(warmup);
        _toSkip = warmup;
        _blockSize = blockSize;
        _blocks = new LatencySamples[blocks];
        for (int i = 0; i < blocks; i++)
        {
            _blocks[i] = new LatencySamples(blockSize);
        }
    }

    public LatencySamples[] Blocks => _blocks;

    /// <summary>Records one round trip that took <paramref name="ticks"/> <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public void Record(long ticks)
    {
        if (_toSkip > 0)
        {
            _toSkip--;
            return;
        }

        _blocks[_recorded / _blockSize].Add(ticks);
        _recorded++;
    }
}
