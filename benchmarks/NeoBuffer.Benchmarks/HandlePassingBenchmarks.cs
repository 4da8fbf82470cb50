using System;
using System.IO;
using BenchmarkDotNet.Attributes;
using NeoBuffer.Interop;
using NeoBuffer.Sealed;

namespace NeoBuffer.Benchmarks;

/// <summary>
/// Cost of a message that carries handles, writer and reader on one thread: a message naming no handles (the reader
/// still asks its receiver, which must cost nothing), a message with one file handle (send, commit, read, receive,
/// close), and the raw limit of the last: one descriptor through sendmsg/recvmsg over a sequenced-packet pair.
/// </summary>
[MemoryDiagnoser]
public class HandlePassingBenchmarks
{
    private InProcessChannel _channel = null!;
    private HandleSender _sender = null!;
    private HandleReceiver _receiver = null!;
    private FileStream _file = null!;
    private int _listening;
    private int _client;
    private int _server;

    [GlobalSetup]
    public unsafe void Setup()
    {
        _channel = new InProcessChannel(1 << 16);
        _sender = new HandleSender(_channel.Writer);
        _receiver = new HandleReceiver(_channel.Reader);
        _file = new FileStream("/proc/self/stat", FileMode.Open, FileAccess.Read);
        string name = $"neobuffer.benchmarks.raw.{Environment.ProcessId}";
        _listening = UnixSocket.ListenAbstract(name, out _);
        _client = UnixSocket.ConnectAbstract(name, out _);
        _server = LibC.Accept4(_listening, null, null, LibC.SOCK_CLOEXEC);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        LibC.Close(_server);
        LibC.Close(_client);
        LibC.Close(_listening);
        _file.Dispose();
        _receiver.Dispose();
        _sender.Dispose();
        _channel.Dispose();
    }

    /// <summary>A 16-byte message naming no handles, received through the receiver.</summary>
    [Benchmark(Baseline = true)]
    public int MessageWithoutHandles() => RoundTrip(HandleBatch.None);

    /// <summary>A 16-byte message with one file handle: send, commit, read, receive, close the received descriptor.</summary>
    [Benchmark]
    public int MessageWithOneFile() => RoundTrip(_sender.Send([_file], TimeSpan.FromSeconds(10)));

    /// <summary>The raw limit: one descriptor sent and received over a sequenced-packet pair, then closed.</summary>
    [Benchmark]
    public int RawScmRights()
    {
        UnixSocket.SendMessage(_client, "B"u8, [(int)_file.SafeFileHandle.DangerousGetHandle()], 0, out _);
        Span<int> received = stackalloc int[1];
        UnixSocket.ReceiveMessage(_server, stackalloc byte[8], received, 0, out int count, out _, out _);
        LibC.Close(received[0]);
        return count;
    }

    private int RoundTrip(HandleBatch batch)
    {
        if (!_channel.Writer.TryClaim(HandleBatch.Size, out WriteClaim claim))
        {
            throw new InvalidOperationException("The ring is full, but every message was read back.");
        }

        batch.Write(claim.Payload);
        claim.Commit();
        if (!_channel.Reader.TryLease(out ReadLease lease))
        {
            throw new InvalidOperationException("A committed message was not readable.");
        }

        HandleBatch named = HandleBatch.Read(lease.Payload);
        lease.Dispose();
        using ReceivedHandles received = _receiver.Receive(named, TimeSpan.FromSeconds(10));
        return received.Count;
    }
}
