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

    /// <summary>A full barrier on every CPU running a registered process (including this thread's).</summary>
    public static void GlobalBarrier() => LibC.Syscall6(SysMembarrier, CommandGlobalExpedited, 0, 0, 0, 0, 0);

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
