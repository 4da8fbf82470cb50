using System.Threading;

namespace NeoBuffer.Testing;

/// <summary>
/// A deliberately slow reader (<c>--slow</c>): it pauses 1 ms after every 64 records, so it keeps up with roughly
/// 50,000 records a second, tens of times slower than a producer fills the ring. A tethered reader so paced holds the
/// producer back; a lossy one is lapped over and over. (The pause is simulated work, not synchronisation.)
/// </summary>
public sealed class SlowPace
{
    private const int RecordsPerPause = 64;
    private int _records;

    public void AfterRecord()
    {
        if (++_records % RecordsPerPause == 0)
        {
            Thread.Sleep(1);
        }
    }
}
