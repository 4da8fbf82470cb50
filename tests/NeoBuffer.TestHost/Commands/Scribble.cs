using System;
using System.Diagnostics;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>scribble DIR SECONDS SEED</c>: a hostile peer. For SECONDS it writes 1 to 8 random bytes at random places of every
/// segment in DIR: the header's counters and wake words, the participant table, and the ring. Prints "scribbling"
/// first and the number of writes at the end.
/// </summary>
internal sealed class Scribble : IHostCommand
{
    public string Name => "scribble";

    public int Run(string[] args)
    {
        var random = new Random(int.Parse(args[2]));
        var clock = Stopwatch.StartNew();
        long writes = 0;
        byte[] bytes = new byte[8];
        Console.WriteLine("scribbling");
        while (clock.Elapsed.TotalSeconds < double.Parse(args[1]))
        {
            foreach (string path in Directory.GetFiles(args[0], "neobuffer.*"))
            {
                try
                {
                    using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
                    long length = RandomAccess.GetLength(file);
                    long offset = random.Next(10) switch
                    {
                        < 4 => 0x100 + random.Next(0x700),  // hot counters, wake words, completion
                        < 6 => 0x800 + random.Next(0x800),  // participant table
                        _ => 4096 + random.NextInt64(Math.Max(1, length - 4096 - 8)), // the ring: headers and payloads
                    };
                    int count = 1 + random.Next(8);
                    random.NextBytes(bytes);
                    RandomAccess.Write(file, bytes.AsSpan(0, count), offset);
                    writes++;
                }
                catch (IOException)
                {
                    // The segment went away meanwhile.
                }
            }
        }

        Console.WriteLine($"writes={writes}");
        return 0;
    }
}
