/// <summary>
/// VideoPipeline's exit codes: 0 when the run finished or was stopped (Ctrl+C, SIGTERM), 1 when the channel failed or
/// could not be used or a subscriber failed (the pipeline exits after its subscribers did), 2 for a bad command line.
/// </summary>
internal static partial class SampleExit
{
    private static partial string UsageHint => "--help shows the options";

    private static partial string StartAgain => "start the pipeline again";

    private static partial bool ClosedMeansStartAgain => true;
}
