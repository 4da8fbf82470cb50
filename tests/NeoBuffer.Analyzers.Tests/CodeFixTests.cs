using System.Threading.Tasks;
using NeoBuffer.CodeFixes;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>
/// Each code fix on one diagnostic and, through the testing library's FixAll passes, on all of a document, project and
/// solution at once. Where a case has several diagnostics, FixAll is what makes them all go.
/// </summary>
public sealed class CodeFixTests
{
    private const string Usings = "using System; using NeoBuffer;\n";

    [Fact]
    public Task Adds_partial_to_the_message() => Verifier.CodeFixAsync<AddPartialCodeFix>(
        Usings + "[ChannelMessage] public readonly struct {|NB0001:M|} { public readonly int A; }",
        Usings + "[ChannelMessage] public readonly partial struct M { public readonly int A; }");

    [Fact]
    public Task Adds_partial_to_every_containing_type_and_the_message() => Verifier.CodeFixAsync<AddPartialCodeFix>(
        Usings + """
        public static class Outer
        {
            internal class Middle
            {
                [ChannelMessage]
                struct {|NB0001:{|NB0008:{|NB0008:M|}|}|} { public int A; }
            }
        }
        """,
        Usings + """
        public static partial class Outer
        {
            internal partial class Middle
            {
                [ChannelMessage]
                partial struct M { public int A; }
            }
        }
        """);

    [Fact]
    public Task Adds_partial_everywhere_at_once() => Verifier.CodeFixAsync<AddPartialCodeFix>(
        [
            Usings + "[ChannelMessage] public struct {|NB0001:A|} { public int X; } [ChannelMessage] public struct {|NB0001:B|} { public A {|NB0001:Inner|}; }",
            Usings + "public class Holder { [ChannelMessage] public partial struct {|NB0008:C|} { public long Y; } }",
        ],
        [
            Usings + "[ChannelMessage] public partial struct A { public int X; } [ChannelMessage] public partial struct B { public A Inner; }",
            Usings + "public partial class Holder { [ChannelMessage] public partial struct C { public long Y; } }",
        ]);

    [Fact]
    public Task Offers_no_partial_fix_for_a_class() => Verifier.CodeFixAsync<AddPartialCodeFix>(
        Usings + "[{|CS0592:ChannelMessage|}] public class {|NB0001:M|} { public int A; }",
        Usings + "[{|CS0592:ChannelMessage|}] public class {|NB0001:M|} { public int A; }");

    [Theory]
    [InlineData("string", "NB0002", "VarUtf8")]
    [InlineData("string?", "NB0002", "VarUtf8")]
    [InlineData("byte[]", "NB0002", "VarBytes")]
    [InlineData("int[]", "NB0002", "VarArray<int>")]
    [InlineData("Point[]", "NB0002", "VarArray<Point>")]
    [InlineData("nint", "NB0004", "long")]
    [InlineData("IntPtr", "NB0004", "long")]
    [InlineData("nuint", "NB0004", "ulong")]
    [InlineData("UIntPtr", "NB0004", "ulong")]
    [InlineData("DateTime", "NB0005", "long")]
    [InlineData("DateTimeOffset", "NB0005", "long")]
    public Task Replaces_the_field_type(string bad, string id, string good) => Verifier.CodeFixAsync<ReplaceFieldTypeCodeFix>(
        Usings + "[ChannelMessage] public partial struct Point { public int X; }\n[ChannelMessage] public partial struct M { public long Id; public " + bad + " {|" + id + ":Value|}; }",
        Usings + "[ChannelMessage] public partial struct Point { public int X; }\n[ChannelMessage] public partial struct M { public long Id; public " + good + " Value; }");

    [Fact]
    public Task Replaces_every_field_of_a_kind_at_once() => Verifier.CodeFixAsync<ReplaceFieldTypeCodeFix>(
        [
            Usings + """
            [ChannelMessage]
            public partial struct Person
            {
                public string {|NB0002:First|}, {|NB0002:Last|};
                public byte[] {|NB0002:Photo|};
                public nint {|NB0004:Handle|};
                public DateTime {|NB0005:Born|};
            }
            """,
            Usings + "[ChannelMessage] public partial struct Tag { public string {|NB0002:Text|}; public int[] {|NB0002:Codes|}; }",
        ],
        [
            Usings + """
            [ChannelMessage]
            public partial struct Person
            {
                public VarUtf8 First, Last;
                public VarBytes Photo;
                public long Handle;
                public long Born;
            }
            """,
            Usings + "[ChannelMessage] public partial struct Tag { public VarUtf8 Text; public VarArray<int> Codes; }",
        ],
        kindsOfFix: 4);

    [Fact]
    public Task Replaces_every_string_in_one_pass() => Verifier.CodeFixAsync<ReplaceFieldTypeCodeFix>(
        [
            Usings + "[ChannelMessage] public partial struct A { public string {|NB0002:X|}, {|NB0002:Y|}; public int N; public string {|NB0002:Z|}; }",
            Usings + "[ChannelMessage] public partial struct B { public string {|NB0002:Text|}; }",
        ],
        [
            Usings + "[ChannelMessage] public partial struct A { public VarUtf8 X, Y; public int N; public VarUtf8 Z; }",
            Usings + "[ChannelMessage] public partial struct B { public VarUtf8 Text; }",
        ]);

    // The fix goes where the field is declared; Inner is then a valid message, but nested in M its text has no tail, and
    // the analyzer says so (NB0011): the fix never hides a fault, it turns it into the one left to solve.
    [Fact]
    public Task Fixes_a_nested_fault_where_it_is_declared() => Verifier.CodeFixAsync<ReplaceFieldTypeCodeFix>(
        Usings + "[ChannelMessage] public partial struct Inner { public string {|NB0002:Name|}; } [ChannelMessage] public partial struct M { public Inner {|NB0002:Inner|}; }",
        Usings + "[ChannelMessage] public partial struct Inner { public VarUtf8 Name; } [ChannelMessage] public partial struct M { public Inner {|NB0011:Inner|}; }");

    [Fact]
    public Task Qualifies_the_replacement_when_NeoBuffer_is_not_imported() => Verifier.CodeFixAsync<ReplaceFieldTypeCodeFix>(
        "[NeoBuffer.ChannelMessage] public partial struct M { public string {|NB0002:Name|}; }",
        "[NeoBuffer.ChannelMessage] public partial struct M { public NeoBuffer.VarUtf8 Name; }");

    [Theory]
    [InlineData("[ChannelMessage] public partial struct M { public string[] {|NB0002:Names|}; }")]
    [InlineData("[ChannelMessage] public partial struct M { public object {|NB0002:Any|}; }")]
    [InlineData("[ChannelMessage] public partial struct Inner { public object {|NB0002:Any|}; } [ChannelMessage] public partial struct M { public Inner {|NB0002:Inner|}; }")]
    [InlineData("[ChannelMessage] public partial struct M { public VarArray<nint> {|NB0004:Handles|}; }")]
    [InlineData("[ChannelMessage] public partial struct M { public int? {|NB0005:Maybe|}; }")]
    public Task Offers_no_replacement_without_one_obvious_type(string declarations) =>
        Verifier.CodeFixAsync<ReplaceFieldTypeCodeFix>(Usings + declarations, Usings + declarations);
}
