using System.Threading.Tasks;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>
/// Every diagnostic the analyzer reports, at the marked place: one case (or more) per id, each with the smallest
/// source that shows it. Messages are checked in <see cref="DiagnosticMessageTests"/>.
/// </summary>
public sealed class AnalyzerTests
{
    public static TheoryData<string> Reported => new()
    {
        // NB0001: not a partial struct (the compiler adds CS0592 for a class: the attribute is for structs).
        "[ChannelMessage] public struct {|NB0001:M|} { public int A; }",
        "[ChannelMessage] public readonly struct {|NB0001:M|} { public readonly int A; }",
        "[{|CS0592:ChannelMessage|}] public partial class {|NB0001:M|} { public int A; }",
        // ... and at the field that brings in a nested message that is not partial.
        "[ChannelMessage] public struct {|NB0001:Inner|} { public int A; } [ChannelMessage] public partial struct M { public Inner {|NB0001:In|}; }",
        // NB0002: reference types, directly and through a nested message.
        "[ChannelMessage] public partial struct M { public int A; public string {|NB0002:Name|}; }",
        "[ChannelMessage] public partial struct M { public byte[] {|NB0002:Bytes|}; public object {|NB0002:Any|}; public Action {|NB0002:Callback|}; }",
        "public interface IShape { } public record class Box(int A); [ChannelMessage] public partial struct M { public IShape {|NB0002:Shape|}; public Box {|NB0002:Box|}; }",
        "[ChannelMessage] public partial struct Inner { public string {|NB0002:Name|}; } [ChannelMessage] public partial struct M { public Inner {|NB0002:Inner|}; }",
        "[ChannelMessage] public partial struct M { public VarArray<int> Ok; public VarArray<string> {|NB0002:{|CS8377:Texts|}|}; }",
        // NB0003: pointers and function pointers.
        "[ChannelMessage] public unsafe partial struct M { public int* {|NB0003:P|}; public delegate*<void> {|NB0003:F|}; }",
        // NB0004: native-sized integers, in every spelling.
        "[ChannelMessage] public partial struct M { public nint {|NB0004:A|}; public nuint {|NB0004:B|}; public IntPtr {|NB0004:C|}; public UIntPtr {|NB0004:D|}; }",
        // NB0005: auto layout, on the message or in a BCL struct.
        "[ChannelMessage] public partial struct M { public DateTime {|NB0005:When|}; public DateTimeOffset {|NB0005:At|}; public int? {|NB0005:Maybe|}; }",
        "[ChannelMessage] public partial struct M { public (int, long) {|NB0005:Pair|}; public System.Collections.Generic.KeyValuePair<int, int> {|NB0005:Entry|}; }",
        "[ChannelMessage] [StructLayout(LayoutKind.Auto)] public partial struct {|NB0005:M|} { public int A; }",
        // NB0006: a struct of another assembly that is not a message.
        "[ChannelMessage] public partial struct M { public TimeSpan {|NB0006:Span|}; public System.Numerics.Vector3 {|NB0006:Position|}; }",
        // NB0007: generic messages, messages in generic types, fields of a type parameter.
        "[ChannelMessage] public partial struct {|NB0007:M|}<T> where T : unmanaged { public T {|NB0007:Value|}; }",
        "public partial class Outer<T> { [ChannelMessage] public partial struct {|NB0007:M|} { public int A; } }",
        // NB0008: containing types that are not partial, one diagnostic each.
        "public class Outer { [ChannelMessage] public partial struct {|NB0008:M|} { public int A; } }",
        "public class A { public partial class B { public struct C { [ChannelMessage] public partial struct {|NB0008:{|NB0008:M|}|} { public int X; } } } }",
        // NB0009: ref structs and by-ref fields.
        "[ChannelMessage] public ref partial struct {|NB0009:M|} { public Span<int> {|NB0009:Values|}; public ref int {|NB0009:Counter|}; }",
        // NB0010: explicit layout, on the type and at each [FieldOffset].
        "[ChannelMessage] [StructLayout(LayoutKind.Explicit)] public partial struct {|NB0010:M|} { [FieldOffset(0)] public int {|NB0010:A|}; [FieldOffset(0)] public float {|NB0010:B|}; }",
        // NB0011: variable-length fields below the top level (Inner is a valid message by itself).
        "[ChannelMessage] public partial struct Inner { public VarBytes Data; } [ChannelMessage] public partial struct M { public Inner {|NB0011:Inner|}; }",
        "[ChannelMessage] public partial struct M { public VarArray<VarUtf8> {|NB0011:Texts|}; }",
        // NB0012: a fixed part over 64 KiB (a warning; exactly 64 KiB is fine, see Valid).
        "[ChannelMessage] public unsafe partial struct {|NB0012:M|} { public fixed byte Pixels[65537]; }",
        // NB0100: a struct of this assembly that is not a message.
        "public struct Plain { public int A; } [ChannelMessage] public partial struct M { public Plain {|NB0100:P|}; }",
        // NB0101: auto-properties and captured primary-constructor parameters.
        "[ChannelMessage] public partial struct M { public int {|NB0101:A|} { get; set; } }",
        "[ChannelMessage] public partial struct M(int {|NB0101:seed|}) { public int Next() => seed + 1; }",
        // NB0102: Pack or Size.
        "[ChannelMessage] [StructLayout(LayoutKind.Sequential, Pack = 1)] public partial struct {|NB0102:M|} { public byte A; public long B; }",
        "[ChannelMessage] [StructLayout(LayoutKind.Sequential, Size = 64)] public partial struct {|NB0102:M|} { public long B; }",
        // NB0103: names the generated code takes.
        "[ChannelMessage] public partial struct M { public int {|NB0103:Commit|}; public int {|NB0103:__x|}; public VarUtf8 Name; public int {|NB0103:NameUtf8|}; }",
        "[ChannelMessage(Version = 2)] public partial struct M { [Since(2)] public int Size; public int {|NB0103:HasSize|}; }",
        // NB0104-NB0107: evolution declarations.
        "[ChannelMessage] public partial struct M { public long A; [Since(2)] public int {|NB0104:B|}; }",
        "[ChannelMessage(Version = 2)] public partial struct M { public long A; [Since(3)] public int {|NB0105:B|}; }",
        "[ChannelMessage(Version = 70000)] public partial struct {|NB0105:M|} { public long A; }",
        "[ChannelMessage(Version = 2)] public partial struct M { [Since(2)] public int B; public long {|NB0106:A|}; }",
        "[ChannelMessage(Version = 1)] public partial struct P { public int X; } [ChannelMessage] public partial struct M { public P {|NB0107:At|}; }",
    };

    [Theory]
    [MemberData(nameof(Reported))]
    public Task Reports_at_the_marked_place(string declarations) => Verifier.AnalyzerAsync(Verifier.Usings + declarations);

    [Fact]
    public Task Reports_nothing_for_messages_of_every_allowed_kind() => Verifier.AnalyzerAsync(Verifier.Usings + """
        namespace Demo
        {
            public enum Color : byte { Red, Green }
            public enum Wide : long { Min = long.MinValue }
            [InlineArray(4)] public struct FourShorts { private short _element; }
            [InlineArray(2)] public struct TwoPoints { private Point _element; }
            [ChannelMessage] public partial struct Point { public double X, Y; }
            [ChannelMessage(Name = "demo.everything")]
            public unsafe partial struct Everything
            {
                public sbyte A; public byte B; public short C; public ushort D; public int E; public uint F; public long G; public ulong H;
                public float I; public double J; public bool Flag; public char Letter; public decimal Money; public Guid Id;
                public Half Ratio; public Int128 Big; public UInt128 Bigger;
                public Color Color; public Wide Wide;
                public fixed byte Code[5];
                public FourShorts Shorts; public TwoPoints Ends; public Point Origin;
                public VarBytes Blob; public VarUtf8 Text; public VarArray<long> Longs; public VarArray<Point> Points; public VarArray<Color> Colors;
                public static string Description = "statics are not part of the layout";
                public string Label => "nor are computed properties";
            }
            public partial class Container { public partial struct Holder { [ChannelMessage] public partial struct Deep { public int A; } } }
            [ChannelMessage] public unsafe partial struct Exactly64K { public fixed byte Data[65536]; }
            [ChannelMessage] [StructLayout(LayoutKind.Sequential)] public partial struct Sequential { public int A; }
            [ChannelMessage] public partial struct Empty { }
            [ChannelMessage] public partial record struct Record { public int A; }
        }
        """);

    [Fact]
    public Task Reports_nothing_for_types_that_are_not_messages() => Verifier.AnalyzerAsync(Verifier.Usings + """
        public struct Plain { public string Name; public nint Handle; public DateTime When; }
        public class Service { public byte[] Buffer = new byte[1]; }
        """);

    [Fact]
    public Task Reports_nothing_in_generated_code() => Verifier.AnalyzerAsync("// <auto-generated/>\n" + Verifier.Usings +
        "[ChannelMessage] public partial struct M { public string Name; public nint Handle; }");

    [Fact]
    public Task Leaves_unresolved_types_to_the_compiler() => Verifier.AnalyzerAsync(Verifier.Usings +
        "[ChannelMessage] public partial struct M { public {|CS0246:Missing|} Thing; }");

    [Fact]
    public Task Reports_each_field_that_brings_in_a_bad_nested_message() => Verifier.AnalyzerAsync(Verifier.Usings + """
        [ChannelMessage] public partial struct Inner { public nint {|NB0004:Handle|}; }
        [ChannelMessage] public partial struct Middle { public Inner {|NB0004:Inner|}; }
        [ChannelMessage] public partial struct Outer { public Middle {|NB0004:First|}; public Inner {|NB0004:Second|}; public int Ok; }
        """);
}
