using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>Tests that read an add server's requests themselves (no <c>ServeAsync</c>), to hold or answer each when they choose.</summary>
internal static class ManualServing
{
    /// <summary>How long these tests wait for anything: far past what a loaded machine needs, so only a bug reaches it.</summary>
    public static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    /// <summary>The next request, waiting for it at most two minutes. Connect and disconnect records are handled on the way.</summary>
    public static async Task<IncomingRequest<AddRequest, AddResponse>> ReadOneAsync(SharedServer<AddRequest, AddResponse> server)
    {
        using var timeout = new CancellationTokenSource(Generous);
        while (true)
        {
            if (server.TryRead(out IncomingRequest<AddRequest, AddResponse> request))
            {
                return request;
            }

            await server.WaitToReadAsync(timeout.Token);
        }
    }

    /// <summary>
    /// The request ring of the add service created by hand, as a server lays it out (here with <paramref name="schema"/>),
    /// so a test can read its records and write what no <see cref="SharedServer{TRequest, TResponse}"/> writes.
    /// </summary>
    public static SharedChannelReader CreateRequestRing(TestChannel channel, MessageLayout schema) =>
        SharedChannel.CreateReader(
            channel.Name,
            new SharedChannelOptions { Directory = channel.Directory, Capacity = 1 << 16, Topology = ChannelTopology.MultiProducerSingleConsumer },
            schema);

    /// <summary>
    /// Connects a client (with <paramref name="options"/>, else the channel's with a 64 KiB ring): connecting needs the
    /// server to read the connect record, so it is read meanwhile (no request is sent yet).
    /// </summary>
    public static async Task<SharedClient<AddRequest, AddResponse>> ConnectAsync(SharedServer<AddRequest, AddResponse> server, TestChannel channel, SharedChannelOptions? options = null)
    {
        // On a thread of its own: the connect's wait for the acknowledgement spins (SpinCount), and on this thread would
        // keep it from reading the connect record it waits for until that spin ran out.
        options ??= channel.Options(1 << 16);
        Task<SharedClient<AddRequest, AddResponse>> connecting = Task.Run(() => SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, options, Generous).AsTask());
        await Poll.UntilAsync(() => { Assert.False(server.TryRead(out _)); return connecting.IsCompleted; }, Generous, "the connection");
        return await connecting;
    }
}
