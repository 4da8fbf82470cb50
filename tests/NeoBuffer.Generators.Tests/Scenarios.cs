using System.Collections.Generic;

namespace NeoBuffer.Generators.Tests;

/// <summary>The inputs the baseline tests generate from: one per feature the generator must handle.</summary>
internal static class Scenarios
{
    public static readonly IReadOnlyDictionary<string, string> All = new Dictionary<string, string>
    {
        ["Primitives"] = """
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage]
                public partial struct Primitives
                {
                    public sbyte A; public byte B; public short C; public ushort D;
                    public int E; public uint F; public long G; public ulong H;
                    public float I; public double J;
                }
            }
            """,
        ["SpecialScalars"] = """
            using System;
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage]
                public partial struct SpecialScalars
                {
                    public bool Flag; public char Letter; public decimal Money; public Guid Id;
                    public Half Ratio; public Int128 Big; public UInt128 Bigger;
                }
            }
            """,
        ["Enums"] = """
            using NeoBuffer;
            namespace Demo
            {
                public enum Color : byte { Red, Green }
                public enum Big : long { Min = long.MinValue }
                [ChannelMessage]
                public partial struct Enums { public Color Color; public Big Big; public Color Other; }
            }
            """,
        ["FixedBuffers"] = """
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage]
                public unsafe partial struct FixedBuffers
                {
                    public byte Kind;
                    public fixed int Samples[4];
                    public fixed char Code[3];
                }
            }
            """,
        ["InlineArrays"] = """
            using System.Runtime.CompilerServices;
            using NeoBuffer;
            namespace Demo
            {
                [InlineArray(8)] public struct EightShorts { private short _element; }
                [InlineArray(2)] public struct TwoPoints { private Point _element; }
                [ChannelMessage] public partial struct Point { public double X, Y; }
                [ChannelMessage]
                public partial struct InlineArrays { public byte Tag; public EightShorts Shorts; public TwoPoints Ends; }
            }
            """,
        ["NestedMessages"] = """
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage] public partial struct Inner { public short A; public bool B; }
                [ChannelMessage] public partial struct Middle { public byte Tag; public Inner Inner; public long Stamp; }
                [ChannelMessage] public partial struct Outer { public Middle Middle; public Inner Last; }
            }
            """,
        ["VarBytes"] = """
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage]
                public partial struct Blob { public long Id; public VarBytes Data; public VarBytes Extra; }
            }
            """,
        ["VarUtf8"] = """
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage]
                public partial struct Note { public int Priority; public VarUtf8 Title; public VarUtf8 Body; }
            }
            """,
        ["VarArray"] = """
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage] public partial struct Sample { public long At; public float Value; }
                [ChannelMessage]
                public partial struct Series { public VarArray<double> Values; public VarArray<Sample> Samples; public VarArray<System.Int128> Wide; }
            }
            """,
        ["FileScopedNamespace"] = """
            using NeoBuffer;
            namespace Demo.Telemetry;

            [ChannelMessage]
            internal partial struct Reading { public int Sensor; public double Value; }
            """,
        ["NestedTypes"] = """
            using NeoBuffer;
            namespace Demo
            {
                public static partial class Protocol
                {
                    internal partial record struct Envelope
                    {
                        [ChannelMessage]
                        public readonly partial struct Header { public readonly int Version; public readonly long Sent; }
                    }
                }
            }
            """,
        ["NameOverride"] = """
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage(Name = "acme.orders.v2/Order<&>")]
                public partial struct Order { public long Id; public VarUtf8 Customer; }
            }
            """,
        ["Versioned"] = """
            using System;
            using NeoBuffer;
            namespace Demo
            {
                public enum Side : byte { Buy = 1, Sell = 2 }
                [ChannelMessage] public partial struct Point { public float X; public float Y; }
                [ChannelMessage(Version = 3)]
                public partial struct Quote
                {
                    public long Id;
                    [Obsolete] public int Legacy;
                    public VarUtf8 Symbol;
                    [Since(2)] public Side Side;
                    [Since(2)] public bool Firm;
                    [Since(2)] public Point At;
                    [Since(3)] public VarArray<double> Levels;
                    [Since(3)] public VarBytes Blob;
                }
            }
            """,
        ["GlobalNamespace"] = """
            using NeoBuffer;
            [ChannelMessage]
            public partial struct Empty { }
            [ChannelMessage]
            public partial struct Keywords { public int @class; public VarUtf8 @string; }
            """,
        ["ProcessFunctions"] = """
            using System.Threading.Tasks;
            using Microsoft.Win32.SafeHandles;
            using NeoBuffer;
            namespace Demo
            {
                [ChannelMessage] public partial struct Point { public int X, Y; }
                [ChannelMessage] public partial struct Note { public int Id; public VarUtf8 Text; }
                public static partial class Calculator
                {
                    [ProcessFunction] public static int Add(int a, int b) => a + b;
                    [ProcessFunction] internal static string? Describe(string text, string? maybe, Point point) => text;
                    [ProcessFunction] private static OwnedMessage<Note> Echo(OwnedMessage<Note> note) => note;
                    [ProcessFunction] public static void Nothing() { }
                    public partial class Nested
                    {
                        [ProcessFunction] public static async Task<long> Serve(SharedChannelReader jobs, SharedChannelWriter answers, SharedChannelReader<Point> points, SharedChannelWriter<Point> echoes, SafeFileHandle log, int @class) { await Task.Yield(); return 0; }
                        [ProcessFunction] public static Task Wait() => Task.CompletedTask;
                        [ProcessFunction] public static int Converse(SharedDuplexChannel raw, SharedDuplexChannel<Point, Note> typed) => 0;
                    }
                }
            }
            """,
    };
}
