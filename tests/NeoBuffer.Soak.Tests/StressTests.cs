using Xunit.Abstractions;

namespace NeoBuffer.Soak.Tests;

/// <summary>Real producer or subscriber processes over one channel, every record checked (<see cref="StressRun"/>).</summary>
[Collection(SoakCollection.Name)]
public sealed class StressTests(ITestOutputHelper output)
{
    [Fact]
    public void Mpsc_producer_processes_deliver_every_record_once_and_in_order() =>
        SoakRun.Check(output, () => StressRun.Run(mpsc: true, producers: 4, subscribers: 1, messages: SoakScale.Pick(1_000_000L, 20_000L), lossy: false, slow: false));

    [Fact]
    public void Tethered_subscriber_processes_each_see_every_record_even_when_slow() =>
        SoakRun.Check(output, () => StressRun.Run(mpsc: false, producers: 1, subscribers: 4, messages: SoakScale.Pick(1_000_000L, 20_000L), lossy: false, slow: true));

    [Fact]
    public void Lossy_subscriber_processes_lose_only_what_they_report() =>
        SoakRun.Check(output, () => StressRun.Run(mpsc: false, producers: 1, subscribers: 4, messages: SoakScale.Pick(1_000_000L, 50_000L), lossy: true, slow: true));
}
