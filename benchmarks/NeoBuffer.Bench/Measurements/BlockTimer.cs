using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace NeoBuffer.Bench.Measurements;

/// <summary>
/// Times a stream of messages in blocks: the first <c>warmup</c> messages are not timed (JIT, page faults, the peer
/// starting), then each following block of <c>blockSize</c> messages gives one sample. The consumer calls
/// <see cref="Count"/> once per message; it reads the clock only at block boundaries, so timing costs nothing per message.
/// </summary>
internal sealed class BlockTimer
{
    private readonly long[] _stamps;
    private readonly long _blockSize;
    private long _untilStamp;
    private int _stamped;

    public BlockTimer(long warmup, long blockSize, int blocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(warmup);
        _stamps = new long[blocks + 1];
        _blockSize = blockSize;
        _untilStamp = warmup;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Count()
    {
        if (--_untilStamp == 0)
        {
            Stamp();
        }
    }

    /// <summary>Seconds each block took.</summary>
    public double[] BlockSeconds()
    {
        var seconds = new double[_stamped - 1];
        for (int i = 0; i < seconds.Length; i++)
        {
            seconds[i] = (_stamps[i + 1] - _stamps[i]) / (double)Stopwatch.Frequency;
        }

        return seconds;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Stamp()
    {
        if (_stamped < _stamps.Length)
        {
            _stamps[_stamped++] = Stopwatch.GetTimestamp();
        }

        _untilStamp = _blockSize;
    }
}
