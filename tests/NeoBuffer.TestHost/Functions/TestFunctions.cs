using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Win32.SafeHandles;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Functions;

/// <summary>
/// Process functions the tests run in real children of this executable: one per kind of argument, result and failure.
/// </summary>
public static partial class TestFunctions
{
    /// <summary>The one-line call: unmanaged arguments and result.</summary>
    [ProcessFunction]
    public static int Add(int a, int b) => a + b;

    /// <summary>The child's pid, so a test can tell the function ran elsewhere.</summary>
    [ProcessFunction]
    public static int ProcessId() => Environment.ProcessId;

    /// <summary>Strings, null included, and a fixed-size message by value.</summary>
    [ProcessFunction]
    public static string Describe(string text, string? nothing, Tick tick, bool flag, Guid id) =>
        $"{text}|{(nothing is null ? "null" : "not null")}|{tick.Sequence}:{tick.Price}:{tick.Volume}:{tick.Side}|{flag}|{id}";

    /// <summary>A message with variable-length fields in and out.</summary>
    [ProcessFunction]
    public static OwnedMessage<Labelled> Relabel(OwnedMessage<Labelled> message, string suffix)
    {
        var view = new Labelled.View(message.Record);
        byte[] label = Encoding.UTF8.GetBytes(view.Label + suffix);
        double[] values = view.Values.ToArray().Select(v => v * 2).ToArray();
        byte[] record = new byte[Labelled.Builder.LengthFor(label.Length, values.Length)];
        var builder = new Labelled.Builder(record, label.Length, values.Length);
        builder.Id = view.Id + 1;
        label.CopyTo(builder.LabelUtf8);
        values.CopyTo(builder.Values);
        return new OwnedMessage<Labelled>(record);
    }

    /// <summary>An async function: awaited in the child, with continuations on the thread pool.</summary>
    [ProcessFunction]
    public static async Task<long> SumAsync(int count)
    {
        long sum = 0;
        for (int i = 1; i <= count; i++)
        {
            await Task.Yield();
            sum += i;
        }

        return sum;
    }

    /// <summary>Throws in the child.</summary>
    [ProcessFunction]
    public static void Fail(string message) => throw new InvalidOperationException(message);

    /// <summary>Dies by a signal in the child: SIGABRT from a fail-fast (what an unhandled crash looks like), or any other sent to itself.</summary>
    [ProcessFunction]
    public static void Crash(int signal)
    {
        if (signal == 6)
        {
            Environment.FailFast("crashing on purpose");
        }

        Interop.Kill(Environment.ProcessId, signal);
        Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>Never returns: for timeouts, cancellation and a parent that dies.</summary>
    [ProcessFunction]
    public static void Hang() => Thread.Sleep(Timeout.Infinite);

    /// <summary>Prints on both streams (captured or passed through).</summary>
    [ProcessFunction]
    public static void Print(string line)
    {
        Console.Out.WriteLine("out: " + line);
        Console.Error.WriteLine("err: " + line);
    }

    /// <summary>
    /// A worker on channels: reads numbers from <paramref name="numbers"/> until the parent completes it, writes each
    /// squared to <paramref name="squares"/>, and returns how many it served.
    /// </summary>
    [ProcessFunction]
    public static async Task<int> Square(SharedChannelReader numbers, SharedChannelWriter squares)
    {
        int served = 0;
        await foreach (ReadOnlyMemory<byte> message in numbers.ReadAllAsync())
        {
            long value = BitConverter.ToInt64(message.Span);
            using (WriteClaim claim = squares.Claim(sizeof(long), TimeSpan.FromSeconds(30)))
            {
                BitConverter.TryWriteBytes(claim.Payload, value * value);
                claim.Commit();
            }

            served++;
        }

        return served;
    }

    /// <summary>Typed endpoints: sums the ticks' sequences until the parent completes the channel.</summary>
    [ProcessFunction]
    public static long SumTicks(SharedChannelReader<Tick> ticks)
    {
        long sum = 0;
        while (ticks.WaitToRead(TimeSpan.FromSeconds(30)))
        {
            while (ticks.TryRead(out Tick tick))
            {
                sum += tick.Sequence;
            }
        }

        return sum;
    }

    /// <summary>
    /// A duplex endpoint: the child gets the other end of the parent's duplex channel, answers each tick with its
    /// sequence doubled until the parent completes its direction, and returns how many it answered.
    /// </summary>
    [ProcessFunction]
    public static int DoubleTicks(SharedDuplexChannel<Tick, Tick> peer)
    {
        int answered = 0;
        while (peer.Reader.WaitToRead(TimeSpan.FromSeconds(60)))
        {
            while (peer.Reader.TryRead(out Tick tick))
            {
                while (!peer.Writer.TryWrite(tick with { Sequence = tick.Sequence * 2 }))
                {
                    peer.Writer.WaitToWrite(System.Runtime.CompilerServices.Unsafe.SizeOf<Tick>(), TimeSpan.FromSeconds(60));
                }

                answered++;
            }
        }

        peer.Writer.Complete();
        return answered;
    }

    /// <summary>A file the parent opened: the child writes a line into it through the inherited descriptor.</summary>
    [ProcessFunction]
    public static long AppendLine(SafeFileHandle file, string line)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(line + "\n");
        long at = RandomAccess.GetLength(file);
        RandomAccess.Write(file, bytes, at);
        return at + bytes.Length;
    }

    /// <summary>Starts a grandchild: the markers of its own start must not leak into it.</summary>
    [ProcessFunction]
    public static int AddInGrandchild(int a, int b) => AddProcess.Run(a, b);

    private static class Interop
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
        public static extern int Kill(int pid, int signal);
    }
}
