using System.Runtime.InteropServices;

namespace NeoBuffer.Interop;

/// <summary>
/// membarrier(2), for the asymmetric fence of docs/format.md ("Waking"): publishers, on the hot path, use plain release
/// stores; the rare side, a waiter about to park, pays instead with MEMBARRIER_CMD_GLOBAL_EXPEDITED, which runs a full
/// barrier on every CPU currently running a registered process. Every process that attaches to a channel registers
/// once.
/// </summary>
internal static class Membarrier
{
    private const int CommandQuery = 0;
    private const int CommandGlobalExpedited = 1 << 1;
    private const int CommandRegisterGlobalExpedited = 1 << 2;

    private static readonly long SysMembarrier = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 324,
        Architecture.Arm64 => 283,
        _ => -1,
    };

    private static readonly bool s_registered = Register();

    /// <summary>Whether this process is registered, so a peer's global barrier reaches it and it can issue one.</summary>
    public static bool IsRegistered => s_registered;

    /// <summary>
    /// A full barrier on every CPU running a registered process (including this thread's). False when the kernel
    /// refused it (it should not, once registration succeeded, but a seccomp policy or a resource limit can): then no
    /// barrier was made, and the caller must not count on one.
    /// </summary>
    public static bool GlobalBarrier() =>
        !t_failBarriers && LibC.Syscall6(SysMembarrier, CommandGlobalExpedited, 0, 0, 0, 0, 0) == 0;

    [System.ThreadStatic]
    private static bool t_failBarriers;

    /// <summary>For tests: every barrier this thread makes fails, as if the kernel refused it, until the scope ends.</summary>
    internal static System.IDisposable FailBarriersOnThisThread()
    {
        t_failBarriers = true;
        return new FailScope();
    }

    private sealed class FailScope : System.IDisposable
    {
        public void Dispose() => t_failBarriers = false;
    }

    private static bool Register()
    {
        if (SysMembarrier < 0 || System.Environment.GetEnvironmentVariable("NEOBUFFER_FENCED_PUBLICATION") == "1")
        {
            return false;
        }

        long supported = LibC.Syscall6(SysMembarrier, CommandQuery, 0, 0, 0, 0, 0);
        const long Needed = CommandGlobalExpedited | CommandRegisterGlobalExpedited;
        return supported >= 0 && (supported & Needed) == Needed &&
               LibC.Syscall6(SysMembarrier, CommandRegisterGlobalExpedited, 0, 0, 0, 0, 0) == 0;
    }
}
