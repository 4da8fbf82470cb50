/// <summary>
/// RequestReply's exit codes: 0 when the server was stopped (Ctrl+C, SIGTERM) or a client got every answer right, 1 when
/// the service failed or could not be reached (the server died, no such server, a wrong answer), 2 for a bad command line.
/// </summary>
internal static partial class SampleExit
{
    private static partial string UsageHint => "usage: RequestReply [server NAME | client NAME [--requests N]]";

    private static partial string StartAgain => "start the server again";

    private static partial bool ClosedMeansStartAgain => true;
}
