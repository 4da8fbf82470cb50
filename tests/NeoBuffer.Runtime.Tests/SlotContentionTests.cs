using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// More callers than a client has request slots: async callers and blocking threads on one client, against a server
/// that answers some requests late and out of order, so callers wait for slots, are handed them as others' results are
/// taken, and take each other's. Every request gets its own answer, and every slot comes back. The second line behind
/// FreeSlotPoolTests' constructed interleavings; NEOBUFFER_FULL_TESTS=1 runs it ten times as long.
/// </summary>
public sealed class SlotContentionTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task More_callers_than_slots_each_get_their_own_answer_and_every_slot_comes_back()
    {
        const int AsyncCallers = SharedClient<AddRequest, AddResponse>.MaxInFlight + 512;
        const int BlockingCallers = 2;
        int rounds = (int)TestScale.Messages(full: 40, quick: 4);

        using var channel = new TestChannel("rr");
        using var serving = new CancellationTokenSource();
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 20));
        Task serve = Task.Run(() => server.ServeAsync(AddAnswer.Answer, serving.Token));
        using SharedClient<AddRequest, AddResponse> client = await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 20), Generous);

        long answered = 0;
        async Task AskAsync(int caller)
        {
            for (int round = 0; round < rounds; round++)
            {
                int a = (caller * 1000) + round;
                // Every caller's first answer late (so the first wave holds every slot while the rest wait for one),
                // and a few more: answers out of order.
                var request = new AddRequest { A = a, B = 7, DelayMs = round == 0 ? 50 : (a % 97 == 0) ? 2 : 0 };
                AddResponse response = await client.RequestAsync(request, Generous).ConfigureAwait(false);
                Assert.Equal(a + 7, response.Sum);
                Interlocked.Increment(ref answered);
            }
        }

        void Ask(int caller)
        {
            for (int round = 0; round < rounds * 50; round++)
            {
                int a = -((caller * 100_000) + round);
                AddResponse response = client.Request(new AddRequest { A = a, B = 7 }, Generous);
                Assert.Equal(a + 7, response.Sum);
                Interlocked.Increment(ref answered);
            }
        }

        Task[] callers =
        [
            .. Enumerable.Range(0, AsyncCallers).Select(caller => Task.Run(() => AskAsync(caller))),
            .. Enumerable.Range(0, BlockingCallers).Select(caller => Task.Factory.StartNew(() => Ask(caller), TaskCreationOptions.LongRunning)),
        ];
        await Task.WhenAll(callers).WaitAsync(Generous);

        Assert.Equal((AsyncCallers * (long)rounds) + (BlockingCallers * (long)rounds * 50), answered);
        Assert.Equal(SharedClient<AddRequest, AddResponse>.MaxInFlight, client.FreeSlots);
        Assert.True(client.SlotWaits > 0, "no caller ever waited for a slot: the test did not contend");
        Assert.Equal(0, client.DroppedResponses);

        serving.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serve.WaitAsync(Generous));
    }
}
