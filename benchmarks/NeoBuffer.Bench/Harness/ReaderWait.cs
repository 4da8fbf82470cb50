namespace NeoBuffer.Bench.Harness;

/// <summary>
/// How the waiting side of a round trip waits for the next message: spinning on the ring (a core kept busy per waiter,
/// the lowest latency) or parked in the kernel at once (<see cref="SharedChannelOptions.SpinCount"/> = 0, a futex
/// wait for the raw baseline), which costs a wake-up per message and no CPU while idle.
/// </summary>
internal enum ReaderWait
{
    Spinning,
    Parked,
}
