using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A server parks on one word, its service ring's reader word, for the request rings of all its clients; each client
/// wakes that word after it commits a request into its own ring. These pin that wake: without it a parked server would
/// find the request only at its next periodic look (up to 100 ms late), and the word would never move.
/// </summary>
public sealed class RequestWakeTests
{
    [Fact]
    public async Task A_request_committed_into_a_clients_own_ring_wakes_the_parked_server_through_its_service_word()
    {
        using var channel = new TestChannel("rw");
        SharedChannelOptions options = channel.Options(1 << 16);
        options.SpinCount = 0; // the server parks at once when idle
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, options);
        using var serving = new CancellationTokenSource();
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, options, Generous);
        Assert.Equal(5, (await client.RequestAsync(new AddRequest { A = 2, B = 3 }, Generous)).Sum);

        nint word = server.ServiceRing.WakeWord;
        for (int round = 0; round < 3; round++)
        {
            // Parked (bit 0), with nothing else that could move the word: no connect, no other client.
            await Poll.UntilAsync(() => (WordAt(word) & 1) != 0, Generous, "the server parked");
            int before = WordAt(word);
            Assert.Equal(7 + round, (await client.RequestAsync(new AddRequest { A = 3 + round, B = 4 }, Generous)).Sum);
            Assert.True(WordAt(word) - before >= 1, $"the service word stayed at {before}: the client did not wake the parked server");
        }

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }

    private static unsafe int WordAt(nint word) => Volatile.Read(ref *(int*)word);
}
