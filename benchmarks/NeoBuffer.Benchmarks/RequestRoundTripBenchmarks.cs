using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using System.Threading.Tasks.Sources;
using BenchmarkDotNet.Attributes;
using NeoBuffer.Benchmarks.Messages;
using NeoBuffer.Requests;

namespace NeoBuffer.Benchmarks;

/// <summary>
/// What the request layer costs in CPU, apart from the cores' cache traffic: a 64 B request and its answer, both sides
/// on one thread, against the two bare ring hops a request makes. <see cref="Request"/> is the harness's <c>request</c>
/// round trip with no second process: the client claims the request in place and builds it, sends it, a serving turn
/// (what <c>ServeAsync</c> does for each request that comes while it spins) reads it in place and answers with its body
/// in a claimed reply, and the client takes the response as a lease and reads it.
/// <see cref="Rings"/> moves records of the same sizes through a duplex channel's two rings, claim, commit and lease
/// each way. The difference is what the layer adds per request: envelopes, the correlation slot, the gates, the
/// request object and the wait's bookkeeping. Where the two sides of a round trip share a core (SMT siblings), that
/// CPU is most of what a request costs beyond the rings.
/// </summary>
[MemoryDiagnoser]
public class RequestRoundTripBenchmarks
{
    private const int MessageBytes = 64;

    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(10);
    private static readonly Func<IncomingRequest<EchoRequest, EchoResponse>, ValueTask> s_echo = Echo;

    private readonly byte[] _body = new byte[MessageBytes - EchoRequest.Builder.LengthFor(0)];
    private string _directory = null!;
    private SharedServer<EchoRequest, EchoResponse> _server = null!;
    private SharedClient<EchoRequest, EchoResponse> _client = null!;
    private SharedDuplexChannel _near = null!;
    private SharedDuplexChannel _far = null!;
    private long _sequence;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine("/dev/shm", $"neobuffer-benchmarks-requests-{Environment.ProcessId}");
        Directory.CreateDirectory(_directory);
        var options = new SharedChannelOptions { Directory = _directory, Capacity = 1 << 16, SpinCount = 0 };
        _server = SharedChannel.CreateServer<EchoRequest, EchoResponse>("echo", options);
        Task<SharedClient<EchoRequest, EchoResponse>> connecting = SharedChannel.ConnectAsync<EchoRequest, EchoResponse>("echo", options, s_timeout).AsTask();
        while (!connecting.IsCompleted)
        {
            _server.TryRead(out _); // takes the connect record on the way
        }

        _client = connecting.GetAwaiter().GetResult();
        _near = SharedChannel.CreateDuplex("rings", options);
        _far = SharedChannel.OpenDuplex("rings", options);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _server.Dispose();
        _far.Dispose();
        _near.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>A request built in place, served by a serving turn, its response read through a lease.</summary>
    [Benchmark]
    public long Request() => RoundTrip(throughWait: false);

    /// <summary>
    /// As <see cref="Request"/>, with the server's wait before its turn (a wait that finds the request at once): what
    /// each request cost before <c>ServeAsync</c> spun inside its read, and what one costs that comes after the spin.
    /// </summary>
    [Benchmark]
    public long RequestThroughWait() => RoundTrip(throughWait: true);

    /// <summary>
    /// As <see cref="Request"/>, with the response taken as an <c>await</c> of <c>SendAsync</c>'s
    /// <see cref="ValueTask{TResult}"/> takes it when the answer came while the caller spun (the async client's usual
    /// path): the awaiter finds it completed and gets the result through the slot's <see cref="IValueTaskSource{TResult}"/>.
    /// </summary>
    [Benchmark]
    public long RequestAwaited() => RoundTrip(throughWait: false, awaited: true);

    private long RoundTrip(bool throughWait, bool awaited = false)
    {
        long sequence = ++_sequence;
        RequestClaim<EchoRequest, EchoResponse> claim = _client.ClaimRequest(MessageBytes, s_timeout);
        var request = new EchoRequest.Builder(claim.Payload, _body.Length) { Sequence = sequence };
        _body.CopyTo(request.Body);
        PendingRequest<EchoResponse> slot = claim.Commit(out _);
        short version = slot.Version;

        if (throughWait && !_server.WaitToReadAsync().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The server's wait ended.");
        }

        _server.ServeWhileBusy(s_echo, CancellationToken.None); // SpinCount 0: one turn, no spin after it
        using ResponseLease<EchoResponse> response = awaited ? Awaited(slot, version) : ((IValueTaskSource<ResponseLease<EchoResponse>>)_client.Wait(slot, s_timeout, CancellationToken.None)).GetResult(version);
        var view = new EchoResponse.View(response.Payload);
        return view.Sequence == sequence ? view.Body.Length : throw new InvalidOperationException("The response answers another request.");
    }

    // What an await of a ValueTask that completed while its caller spun does: IsCompleted, then GetResult.
    private ResponseLease<EchoResponse> Awaited(PendingRequest<EchoResponse> slot, short version)
    {
        ValueTaskAwaiter<ResponseLease<EchoResponse>> awaiter = new ValueTask<ResponseLease<EchoResponse>>(_client.Await(slot, s_timeout, CancellationToken.None), version).GetAwaiter();
        return awaiter.IsCompleted ? awaiter.GetResult() : throw new InvalidOperationException("The response was not there for the await.");
    }

    /// <summary>Records of a request's and a response's sizes, each through one ring of a duplex channel.</summary>
    [Benchmark(Baseline = true)]
    public long Rings()
    {
        long sequence = ++_sequence;
        Hop(_near.Writer, _far.Reader, sequence);
        return Hop(_far.Writer, _near.Reader, sequence);
    }

    private long Hop(SharedChannelWriter writer, SharedChannelReader reader, long sequence)
    {
        if (!writer.TryClaim(RequestEnvelope.Size + MessageBytes, out WriteClaim claim))
        {
            throw new InvalidOperationException("The ring is full, but every record was read.");
        }

        var message = new EchoRequest.Builder(claim.Payload.Slice(RequestEnvelope.Size), _body.Length) { Sequence = sequence };
        _body.CopyTo(message.Body);
        claim.Commit();
        if (!reader.TryLease(out ReadLease lease))
        {
            throw new InvalidOperationException("A committed record was not readable.");
        }

        using (lease)
        {
            return new EchoRequest.View(lease.Payload.Slice(RequestEnvelope.Size)).Body.Length;
        }
    }

    private static ValueTask Echo(IncomingRequest<EchoRequest, EchoResponse> request)
    {
        var asked = new EchoRequest.View(request.Payload);
        if (!request.TryClaimReply(request.Payload.Length, out ReplyClaim claim))
        {
            throw new InvalidOperationException("The response ring had no room, but every response was read.");
        }

        var answer = new EchoResponse.Builder(claim.Payload, asked.Body.Length) { Sequence = asked.Sequence };
        asked.Body.CopyTo(answer.Body);
        claim.Commit();
        return ValueTask.CompletedTask;
    }
}
