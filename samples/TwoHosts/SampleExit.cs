/// <summary>
/// TwoHosts' exit codes: 0 when a role finished (the demo: when every role did), 1 when a channel, the bridge or the
/// NATS server failed or could not be used, 2 for a bad command line, 130 when stopped by Ctrl+C or SIGTERM.
/// </summary>
internal static partial class SampleExit
{
    private static partial string UsageHint => "--channel takes a name, not a path: the directory is NEOBUFFER_DIR";

    private static partial string StartAgain => "start the roles again";

    private static partial bool ClosedMeansStartAgain => false;
}
