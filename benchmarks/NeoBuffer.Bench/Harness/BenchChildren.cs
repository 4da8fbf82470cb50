using System.Collections.Generic;
using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Harness;

/// <summary>
/// This program started again as a peer process (<c>NeoBuffer.Bench child VERB ARGS</c>, see <see cref="ChildProcess"/>),
/// so every measurement has a real peer process; each child learns the CPU the run chose for it (<see cref="CpuPinning"/>).
/// </summary>
internal static class BenchChildren
{
    private static ChildProgram Program(bool pinned) => ChildProgram.Self(
        "child",
        CpuPinning.ChildCpuSetting is string cpu ? new Dictionary<string, string> { [CpuPinning.ChildCpuVariable] = pinned ? cpu : CpuPinning.AnyCpu } : null);

    /// <summary>Starts <c>child <paramref name="verb"/> <paramref name="args"/></c> and waits until it prints "ready".</summary>
    public static ChildProcess Start(string verb, params object[] args) => ChildProcess.StartReady(Program(pinned: true), verb, args);

    /// <summary>
    /// Starts one child per argument list at once, and waits until every one prints "ready". Several busy children
    /// (<paramref name="pinned"/> false) may run on any CPU: pinned to one, they would take turns on it.
    /// </summary>
    public static ChildProcess[] StartAll(string verb, IReadOnlyList<object[]> argumentLists, bool pinned = true) =>
        ChildProcess.StartAllReady(Program(pinned), verb, argumentLists);
}
