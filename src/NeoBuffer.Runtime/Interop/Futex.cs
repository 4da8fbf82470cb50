using System;
using System.Runtime.InteropServices;

namespace NeoBuffer.Interop;

/// <summary>
/// Linux futexes on words in shared memory. The words are shared between processes, so the calls never use
/// FUTEX_PRIVATE_FLAG: the kernel keys them by the mapped file and offset, which every process agrees on.
/// </summary>
internal static unsafe class Futex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;

    // futex2 flags for futex_waitv: 32-bit word, shared (no FUTEX2_PRIVATE).
    private const uint Futex2Size32 = 0x02;

    // Syscall numbers differ per architecture (arm64 uses the generic table); -1 elsewhere makes the call fail with
    // ENOSYS, reported as PlatformNotSupportedException.
    private static readonly long SysFutex = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => -1,
    };

    // futex_waitv is 449 on every architecture that has the unified syscall table (x86-64 and arm64 both).
    private const long SysFutexWaitV = 449;

    /// <summary>
    /// Sleeps while <c>*word == expected</c>, until woken, <paramref name="timeoutNs"/> passes (negative: no limit), or
    /// a signal interrupts. Returns false only on timeout; spurious returns are the caller's to re-check.
    /// </summary>
    public static bool Wait(int* word, int expected, long timeoutNs)
    {
        Timespec ts;
        Timespec* timeout = null;
        if (timeoutNs >= 0)
        {
            ts = Timespec.FromNanoseconds(timeoutNs);
            timeout = &ts;
        }

        long result = LibC.Syscall6(SysFutex, (nint)word, FutexWait, expected, (nint)timeout, 0, 0);
        if (result == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastSystemError();
        return errno switch
        {
            LibC.ETIMEDOUT => false,
            LibC.EAGAIN or LibC.EINTR or LibC.EFAULT => true,
            LibC.ENOSYS => throw new PlatformNotSupportedException($"futex is not available: NeoBuffer runs on x86-64 and arm64 Linux; this process is {RuntimeInformation.ProcessArchitecture}."),
            _ => throw new InvalidOperationException($"futex wait failed: {LibC.Describe(errno)}"),
        };
    }

    /// <summary>Wakes every process and thread parked on <paramref name="word"/>.</summary>
    public static void WakeAll(int* word) => LibC.Syscall6(SysFutex, (nint)word, FutexWake, int.MaxValue, 0, 0, 0);

    /// <summary>
    /// Sleeps until any of <paramref name="waits"/> no longer holds its expected value or is woken, or until the
    /// absolute CLOCK_MONOTONIC deadline (null: none). Returns the index woken, -1 on timeout, -2 on a spurious return.
    /// </summary>
    public static int WaitAny(WaitV* waits, int count, Timespec* monotonicDeadline)
    {
        long result = LibC.Syscall6(SysFutexWaitV, (nint)waits, count, 0, (nint)monotonicDeadline, 1 /* CLOCK_MONOTONIC */, 0);
        if (result >= 0)
        {
            return (int)result;
        }

        int errno = Marshal.GetLastSystemError();
        return errno switch
        {
            LibC.ETIMEDOUT => -1,
            // EFAULT: a word was unmapped after its wait was cancelled and before this call; the caller rebuilds its set.
            LibC.EAGAIN or LibC.EINTR or LibC.EFAULT => -2,
            LibC.ENOSYS => throw new PlatformNotSupportedException("NeoBuffer's async waits need futex_waitv (Linux 5.16 or newer)."),
            _ => throw new InvalidOperationException($"futex_waitv failed: {LibC.Describe(errno)}"),
        };
    }

    /// <summary>One entry of a futex_waitv call (struct futex_waitv).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct WaitV
    {
        public ulong Value;
        public ulong Address;
        public uint Flags;
        private readonly uint _reserved;

        public WaitV(int* address, int value)
        {
            Value = (uint)value;
            Address = (ulong)address;
            Flags = Futex2Size32;
            _reserved = 0;
        }
    }

    /// <summary>struct timespec on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;

        public static Timespec FromNanoseconds(long ns) => new() { Seconds = ns / 1_000_000_000, Nanoseconds = ns % 1_000_000_000 };
    }
}
