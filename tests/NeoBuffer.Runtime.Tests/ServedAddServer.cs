using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// An add server serving with <c>ServeAsync</c> on the thread pool, for tests that watch what a handler sees. Disposing
/// it stops serving and checks that serving ended by that cancellation alone (a handler's fault would have ended it
/// first), then closes the server.
/// </summary>
internal sealed class ServedAddServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _serving = new();
    private readonly Task _serve;

    public ServedAddServer(TestChannel channel, long capacity, Func<IncomingRequest<AddRequest, AddResponse>, ValueTask> handler, int maxProducers = 16)
    {
        Channel = channel;
        SharedChannelOptions options = channel.Options(capacity);
        options.MaxProducers = maxProducers;
        Server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, options);
        _serve = Task.Run(() => Server.ServeAsync(handler, _serving.Token));
    }

    public TestChannel Channel { get; }

    public SharedServer<AddRequest, AddResponse> Server { get; }

    /// <summary>The serving loop: it ends only when the test stops it, unless a fault ends it first.</summary>
    public Task Serving => _serve;

    /// <summary>A new client of the server (its connect record is read by the serving loop).</summary>
    public async Task<SharedClient<AddRequest, AddResponse>> ConnectAsync() =>
        await SharedChannel.ConnectAsync<AddRequest, AddResponse>(Channel.Name, Channel.Options(1 << 16), Generous);

    public async ValueTask DisposeAsync()
    {
        _serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _serve.WaitAsync(Generous));
        _serving.Dispose();
        Server.Dispose();
    }
}
