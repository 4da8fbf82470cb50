using System.Diagnostics;
using System.Text;

namespace NeoBuffer;

/// <summary>A process function's child just started, with the call's two channels and its captured output, if any.</summary>
internal sealed record StartedChild(
    string FunctionName,
    Process Process,
    SharedChannelWriter Arguments,
    SharedChannelReader Results,
    StringBuilder? Output,
    StringBuilder? Error);
