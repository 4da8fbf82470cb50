using System.Threading.Tasks;

namespace NeoBuffer.Nats.Tests;

/// <summary>One nats-server (JetStream on) shared by the tests of a class; each test uses subjects and streams of its own.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public NatsServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
