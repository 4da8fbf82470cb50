/// <summary>
/// SpscPair's exit codes: 0 when every message arrived in order, 1 when the channel failed or could not be used, a peer
/// failed, or the run was stopped early (Ctrl+C, SIGTERM), 2 for a bad command line.
/// </summary>
internal static partial class SampleExit
{
    private static partial string UsageHint => "usage: SpscPair [both [NAME] | consume NAME | produce NAME]";

    private static partial string StartAgain => "start again under a new name";

    private static partial bool ClosedMeansStartAgain => false;
}
