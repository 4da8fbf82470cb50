using System.Collections.Generic;
using System.Linq;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Measurements;

/// <summary>
/// What one parked reader process cost while idle: its CPU time and wake-ups over the idle window, and whether it then
/// received the final message (proof that it was parked, not dead or gone).
/// </summary>
/// <param name="Reader">Topology and waiting call, as <c>"broadcast WaitToRead"</c>.</param>
/// <param name="Subscribers">Reader processes on the reader's channel: 4 for the broadcast subscribers, 1 for an SPSC reader.</param>
/// <param name="WakeupsByThread">The wake-ups by thread name (see <see cref="ProcessUsage.WakeupsByThreadSince"/>).</param>
internal sealed record IdleReaderResult(string Reader, int Subscribers, int Pid, double WallSeconds, double CpuSeconds, IReadOnlyDictionary<string, long> WakeupsByThread, bool GotFinalMessage)
{
    public long Wakeups => WakeupsByThread.Values.Sum();

    /// <summary>CPU time over wall time, in percent of one CPU.</summary>
    public double CpuPercent => CpuSeconds / WallSeconds * 100;

    public double WakeupsPerSecond => Wakeups / WallSeconds;

    /// <summary>The result row: no messages flowed in the window, so only the reader, CPU % and wake-ups/s are figures.</summary>
    public ResultRow ToRow(int messageBytes) =>
        new(Scenarios.IdleCpu, Scenarios.NeoBuffer, messageBytes, 0, 1, Subscribers, null, null, null, null)
        {
            Reader = Reader,
            CpuPercent = CpuPercent,
            WakeupsPerSec = WakeupsPerSecond,
        };
}
