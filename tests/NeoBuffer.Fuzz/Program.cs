using System;
using System.IO;
using SharpFuzz;

namespace NeoBuffer.Fuzz;

/// <summary>
/// The fuzz program (docs/fuzzing.md). No argument: libFuzzer mode (driven by libfuzzer-dotnet). <c>--afl</c>: AFL
/// mode (driven by afl-fuzz). <c>--write-corpus DIR</c>: writes the seed corpus. <c>--run PATH...</c>: runs the target
/// once over each file (or every file of each directory), to replay a crash.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "--write-corpus")
        {
            CorpusWriter.Write(args[1]);
            return 0;
        }

        if (args.Length >= 2 && args[0] == "--run")
        {
            int count = 0;
            foreach (string path in args[1..])
            {
                foreach (string file in Directory.Exists(path) ? Directory.GetFiles(path) : [path])
                {
                    FuzzTarget.Run(File.ReadAllBytes(file));
                    count++;
                }
            }

            Console.WriteLine($"ran {count} inputs: no finding");
            return 0;
        }

        if (args.Length == 1 && args[0] == "--afl")
        {
            Fuzzer.OutOfProcess.Run(stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                FuzzTarget.Run(buffer.ToArray());
            });
            return 0;
        }

        if (args.Length != 0)
        {
            Console.Error.WriteLine("usage: NeoBuffer.Fuzz [--afl | --write-corpus DIR | --run PATH...]");
            return 2;
        }

        Fuzzer.LibFuzzer.Run(span => FuzzTarget.Run(span));
        return 0;
    }
}
