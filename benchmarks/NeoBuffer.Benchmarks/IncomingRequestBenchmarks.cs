using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using NeoBuffer.Benchmarks.Messages;
using NeoBuffer.Requests;

namespace NeoBuffer.Benchmarks;

/// <summary>
/// The server's side of one request, on one thread: a request record written into the request ring (as a connected
/// client writes it), read by <c>TryRead</c>, answered with <c>TryReply</c>, ended with <c>Dispose</c>, and the response
/// taken back out of the client's response ring. What it measures is what the server does per request around the
/// rings: handing out the request (pooled storage and the handle over it) and answering it once.
/// </summary>
[MemoryDiagnoser]
public class IncomingRequestBenchmarks
{
    private string _directory = null!;
    private SharedServer<SumRequest, SumResponse> _server = null!;
    private SharedClient<SumRequest, SumResponse> _client = null!;
    private SharedChannelWriter _requests = null!;
    private SharedChannelReader _responses = null!;
    private long _sequence;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine("/dev/shm", $"neobuffer-benchmarks-requests-{Environment.ProcessId}");
        Directory.CreateDirectory(_directory);
        var options = new SharedChannelOptions { Directory = _directory, Capacity = 1 << 16 };
        _server = SharedChannel.CreateServer<SumRequest, SumResponse>("sums", options);
        Task<SharedClient<SumRequest, SumResponse>> connecting = SharedChannel.ConnectAsync<SumRequest, SumResponse>("sums", options, TimeSpan.FromSeconds(30)).AsTask();
        while (!connecting.IsCompleted)
        {
            _server.TryRead(out _); // the connect record
        }

        _client = connecting.GetAwaiter().GetResult();

        // Requests are written as the client would (the client's own send path is not what is measured), and the
        // responses drained from its ring, which nothing else reads while no request of its own is pending.
        _requests = SharedChannel.OpenWriter("sums", options, ServiceSchema<SumRequest, SumResponse>.Layout);
        _responses = (SharedChannelReader)typeof(SharedClient<SumRequest, SumResponse>).GetField("_responses", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(_client)!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _requests.Dispose();
        _client.Dispose();
        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Write a request, read it, reply, dispose it, read the response.</summary>
    [Benchmark]
    public long ReadReplyDispose()
    {
        if (!_requests.TryClaim(RequestEnvelope.Size + 8, out WriteClaim claim))
        {
            throw new InvalidOperationException("The request ring is full, but every request was read.");
        }

        var envelope = new RequestEnvelope { CorrelationId = ++_sequence, ClientId = _client.ClientId, Kind = RequestKind.Request, Token = _client.Token };
        MemoryMarshal.Write(claim.Payload, in envelope);
        MemoryMarshal.Write(claim.Payload.Slice(RequestEnvelope.Size), new SumRequest { A = 2, B = 3 });
        claim.Commit();

        if (!_server.TryRead(out var request))
        {
            throw new InvalidOperationException("A committed request was not read.");
        }

        SumRequest asked = request.Message;
        if (!request.TryReply(new SumResponse { Sum = asked.A + asked.B }))
        {
            throw new InvalidOperationException("The response ring had no room, but every response was read.");
        }

        request.Dispose();
        if (!_responses.TryLease(out ReadLease lease))
        {
            throw new InvalidOperationException("A committed response was not readable.");
        }

        using (lease)
        {
            return lease.Length;
        }
    }
}
