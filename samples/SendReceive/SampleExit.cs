/// <summary>
/// SendReceive's exit codes: 0 when it finished or was stopped (end of input, Ctrl+C, SIGTERM), 1 when the channel
/// failed or could not be used, 2 for a bad command line.
/// </summary>
internal static partial class SampleExit
{
    private static partial string UsageHint => "usage: SendReceive receive NAME | SendReceive send NAME";

    private static partial string StartAgain => "start again under a new name";

    private static partial bool ClosedMeansStartAgain => false;
}
