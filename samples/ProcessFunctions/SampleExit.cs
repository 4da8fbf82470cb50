/// <summary>
/// ProcessFunctions' exit codes: 0 done (also when stopped by Ctrl+C or SIGTERM), 1 a channel or a worker failed, 2 a
/// bad command line.
/// </summary>
internal static partial class SampleExit
{
    private static partial string UsageHint => "usage: ProcessFunctions [add A B | pool [--workers N] [--seconds S]]";

    private static partial string StartAgain => "start again";

    private static partial bool ClosedMeansStartAgain => false;
}
