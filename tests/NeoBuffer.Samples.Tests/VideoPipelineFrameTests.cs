using System;
using System.Runtime.InteropServices;

namespace NeoBuffer.Samples.Tests;

/// <summary>
/// samples/VideoPipeline's subscribers on the largest frames a channel can carry: a producer that created its own
/// ring may send any width and height whose pixels fit a message, and the subscriber's arithmetic must not overflow.
/// </summary>
public sealed unsafe class VideoPipelineFrameTests
{
    [Theory]
    [InlineData(1, 1 << 26)]   // one column: row offsets past 2^31 before the division
    [InlineData(1 << 26, 1)]   // one row: column offsets past 2^31 before the division
    public void The_preview_samples_a_frame_of_a_quarter_gigabyte_of_pixels_without_overflow(int width, int height)
    {
        nuint bytes = (nuint)width * (nuint)height * 4;
        void* pixels = NativeMemory.AllocZeroed(bytes); // untouched pages are never faulted in: the preview reads 2,304 pixels
        try
        {
            new VideoPipeline.Preview().Consume(1, width, height, new ReadOnlySpan<byte>(pixels, checked((int)bytes)));
        }
        finally
        {
            NativeMemory.Free(pixels);
        }
    }
}
