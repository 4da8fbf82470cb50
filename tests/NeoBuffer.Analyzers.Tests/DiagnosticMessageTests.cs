using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using NeoBuffer.Analyzers.Diagnostics;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>What the messages say: the field path and type, why it cannot cross, and what to use instead.</summary>
public sealed class DiagnosticMessageTests
{
    [Fact]
    public Task A_nested_fault_names_the_whole_path_and_the_offending_type() => Verifier.AnalyzerAsync(
        Verifier.Usings + """
        [ChannelMessage] public partial struct Inner { public string {|#0:Name|}; }
        [ChannelMessage] public partial struct Outer { public Inner {|#1:Inner|}; }
        """,
        Verifier.Diagnostic("NB0002").WithLocation(0).WithMessage(
            "'Inner.Name: string' is a reference type: it points into one process's heap, which no other process can read; use VarUtf8 instead"),
        Verifier.Diagnostic("NB0002").WithLocation(1).WithMessage(
            "'Outer.Inner.Name: string' is a reference type: it points into one process's heap, which no other process can read; " +
            "store the data itself in fixed fields, or move it to the top-level message as a VarUtf8, VarBytes or VarArray<T> field"));

    [Fact]
    public Task The_advice_names_the_replacement_type() => Verifier.AnalyzerAsync(
        Verifier.Usings + """
        [ChannelMessage] public partial struct Point { public int X, Y; }
        [ChannelMessage] public partial struct M { public Point[] {|#0:Points|}; public string[] {|#1:Names|}; public nuint {|#2:Size|}; public DateTime {|#3:When|}; }
        """,
        Verifier.Diagnostic("NB0002").WithLocation(0).WithArguments("M.Points: Point[]", "use VarArray<Point> instead"),
        Verifier.Diagnostic("NB0002").WithLocation(1).WithArguments("M.Names: string[]",
            "store the data itself: text as VarUtf8, bytes as VarBytes, arrays as VarArray<T>, objects as [ChannelMessage] structs"),
        Verifier.Diagnostic("NB0004").WithLocation(2).WithArguments("M.Size: nuint", "use ulong instead"),
        Verifier.Diagnostic("NB0005").WithLocation(3).WithArguments("M.When: System.DateTime", "use long (ticks) instead"));

    [Fact]
    public Task A_containing_type_is_named() => Verifier.AnalyzerAsync(
        Verifier.Usings + "namespace Demo { public class Outer { [ChannelMessage] public partial struct {|#0:M|} { public int A; } } }",
        Verifier.Diagnostic("NB0008").WithLocation(0).WithMessage(
            "'Demo.Outer.M' is nested in 'Demo.Outer', which is not partial: the generator adds the message's members through a partial declaration of every containing type; declare 'Demo.Outer' partial"));

    [Fact]
    public Task A_large_fixed_part_gives_its_size() => Verifier.AnalyzerAsync(
        Verifier.Usings + "[ChannelMessage] public unsafe partial struct {|#0:Frame|} { public long Stamp; public fixed byte Pixels[100000]; }",
        Verifier.Diagnostic("NB0012").WithLocation(0).WithArguments("Frame", 100008));

    [Fact]
    public void Every_descriptor_links_to_its_section_of_the_docs_and_says_why()
    {
        ChannelMessageAnalyzer analyzer = new();
        Assert.Equal(16, analyzer.SupportedDiagnostics.Length);
        var all = analyzer.SupportedDiagnostics.AddRange(new ProcessFunctionAnalyzer().SupportedDiagnostics);
        Assert.Equal(26, all.Length);
        Assert.All(all, d =>
        {
            Assert.Equal(DiagnosticDescriptors.HelpBase + "#" + d.Id.ToLowerInvariant(), d.HelpLinkUri);
            Assert.False(string.IsNullOrEmpty(d.Description.ToString()));
            Assert.Equal(d.Id == "NB0012" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, d.DefaultSeverity);
        });
        string docs = System.IO.File.ReadAllText(System.IO.Path.Combine(RepositoryRoot.Path, "docs", "diagnostics.md"));
        Assert.All(all, d => Assert.Contains($"\n## {d.Id}\n", docs));
        Assert.Equal(all.Select(d => d.Id).Order(), System.Text.RegularExpressions.Regex.Matches(docs, @"\n## (NB\d{4})\n").Select(m => m.Groups[1].Value).Order());
    }
}
