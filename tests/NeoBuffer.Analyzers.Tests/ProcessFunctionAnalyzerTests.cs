using System.Threading.Tasks;
using NeoBuffer.CodeFixes;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>Every process-function diagnostic at the marked place, the cases that must stay silent, and the fix.</summary>
public sealed class ProcessFunctionAnalyzerTests
{
    private const string Usings = Verifier.Usings + "using System.Collections.Generic; using System.Threading.Tasks; using Microsoft.Win32.SafeHandles;\n";

    // The generator does not run here: the messages implement IChannelMessage<T> by hand, as it would.
    private const string Messages = """
        [ChannelMessage] public partial struct Fixed : IChannelMessage<Fixed> { public int A; public static MessageLayout Layout => null!; }
        [ChannelMessage] public partial struct Texty : IChannelMessage<Texty> { public int A; public VarUtf8 Text; public static MessageLayout Layout => null!; }
        [ChannelMessage] public partial struct Broken { public string B; }
        """;

    public static TheoryData<string> Reported => new()
    {
        // NB0120: an instance method.
        "public partial class F { [ProcessFunction] public int {|NB0120:Add|}(int a) => a; }",
        // NB0121: generic, or in a generic type.
        "public static partial class F { [ProcessFunction] public static T {|NB0121:Echo|}<T>(T a) where T : unmanaged => a; }",
        "public static partial class F<U> { [ProcessFunction] public static int {|NB0121:Add|}(int a) => a; }",
        // NB0122: a lambda and a local function.
        "public static partial class F { public static void M() { int x = 1; Func<int, int> f = [ProcessFunction] {|NB0122:(int a)|} => a + x; } }",
        "public static partial class F { public static void M() { [ProcessFunction] static int {|NB0122:Local|}(int a) => a; } }",
        // NB0123: by-reference parameters.
        "public static partial class F { [ProcessFunction] public static void M(ref {|NB0123:int|} a, out {|NB0123:int|} b, in {|NB0123:int|} c) { b = 0; } }",
        // NB0124: parameter types that cannot cross, at the parameter's type.
        "public static partial class F { [ProcessFunction] public static void M({|NB0124:List<int>|} items, {|NB0124:object|} any, {|NB0124:Action|} callback, {|NB0124:nint|} handle, {|NB0124:byte[]|} bytes) { } }",
        // NB0125: results that cannot cross, plain or in a Task.
        "public static partial class F { [ProcessFunction] public static {|NB0125:List<int>|} M() => new(); }",
        "public static partial class F { [ProcessFunction] public static {|NB0125:Task<SharedChannelReader>|} M() => null!; }",
        "public static partial class F { [ProcessFunction] public static {|NB0125:SharedDuplexChannel|} M() => null!; }",
        // NB0126: a containing type that is not partial.
        "public static class {|NB0126:F|} { [ProcessFunction] public static int Add(int a) => a; }",
        // NB0127: a message with variable-length fields by value.
        Messages + "public static partial class F { [ProcessFunction] public static void M({|NB0127:Texty|} t) { } }",
        // NB0128: a message the message classifier rejects (its own NB0002 is another analyzer's).
        Messages + "public static partial class F { [ProcessFunction] public static void M({|NB0128:Broken|} b) { } }",
        // NB0129: two functions of one name, or a member already named like the generated class.
        "public static partial class F { [ProcessFunction] public static int {|NB0129:Add|}(int a) => a; [ProcessFunction] public static int {|NB0129:Add|}(long a) => 0; }",
        "public static partial class F { [ProcessFunction] public static int {|NB0129:Add|}(int a) => a; public static int AddProcess; }",
    };

    public static TheoryData<string> Silent => new()
    {
        Messages + """
        public static partial class F
        {
            [ProcessFunction] public static int Add(int a, long b, double c, bool d, char e, Guid g, DateTime t, DayOfWeek w) => a;
            [ProcessFunction] internal static string? Text(string s, string? maybe) => s;
            [ProcessFunction] private static OwnedMessage<Texty> Message(Fixed f, OwnedMessage<Texty> t) => t;
            [ProcessFunction] public static async Task<long> Worker(SharedChannelReader a, SharedChannelWriter b, SharedChannelReader<Fixed> c, SharedChannelWriter<Fixed> d, SafeFileHandle file) { await Task.Yield(); return 0; }
            [ProcessFunction] public static Task Nothing() => Task.CompletedTask;
            [ProcessFunction] public static void Void() { }
            [ProcessFunction] public static int Converse(SharedDuplexChannel raw, SharedDuplexChannel<Fixed, Texty> typed) => 0;
        }
        """,
    };

    [Theory]
    [MemberData(nameof(Reported))]
    public Task Reports_at_the_marked_place(string source) => Verifier.AnalyzerAsync<ProcessFunctionAnalyzer>(Usings + source);

    [Theory]
    [MemberData(nameof(Silent))]
    public Task Reports_nothing_for_what_may_cross(string source) => Verifier.AnalyzerAsync<ProcessFunctionAnalyzer>(Usings + source);

    [Fact]
    public Task Fixes_a_message_by_value_into_an_owned_message() => Verifier.CodeFixAsync<ProcessFunctionAnalyzer, ReplaceFieldTypeCodeFix>(
        [Usings + Messages + "public static partial class F { [ProcessFunction] public static void M({|NB0127:Texty|} t) { } }"],
        [Usings + Messages + "public static partial class F { [ProcessFunction] public static void M(OwnedMessage<Texty> t) { } }"]);
}
