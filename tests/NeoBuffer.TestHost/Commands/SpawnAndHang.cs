using System;
using System.Threading;
using NeoBuffer.TestHost.Functions;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>spawn-and-hang</c>: starts <see cref="TestFunctions.Hang"/> in a child, prints the child's pid, and waits to be
/// killed or signalled: a test then checks that the child goes with it.
/// </summary>
internal sealed class SpawnAndHang : IHostCommand
{
    public string Name => "spawn-and-hang";

    public int Run(string[] args)
    {
        using ProcessFunctionHandle child = TestFunctions.HangProcess.Spawn();
        Console.WriteLine(child.ProcessId);
        Thread.Sleep(Timeout.Infinite);
        return 0;
    }
}
