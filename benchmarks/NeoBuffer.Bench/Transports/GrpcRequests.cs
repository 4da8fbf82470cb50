using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NeoBuffer.Bench.Harness;
using NeoBuffer.Bench.Measurements;
using NeoBuffer.Bench.Report;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// gRPC over a Unix domain socket, the way Microsoft documents inter-process gRPC in .NET: an ASP.NET Core (Kestrel)
/// server child listening with <c>ListenUnixSocket</c> over HTTP/2, and Grpc.Net.Client channels whose
/// <see cref="SocketsHttpHandler"/> connects to the socket. One unary method echoes its request; the messages are raw
/// bytes through a hand-written marshaller (no protoc step: the bytes are the message, as NeoBuffer's are). Each client
/// has a channel (an HTTP/2 connection) of its own and a thread here, one call at a time.
/// </summary>
internal static class GrpcRequests
{
    public const string ServerVerb = "grpc-server";

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static (byte[] message) => message, static (byte[] payload) => payload);
    private static readonly Method<byte[], byte[]> EchoMethod = new(MethodType.Unary, "neobuffer.bench.Echo", "Echo", Bytes, Bytes);

    public static Measurement Measure(BenchRun run, int messageBytes, int clients)
    {
        int block = RequestPlan.Block(run.Plan, Scenarios.Grpc, messageBytes);
        int total = run.RoundTripTotal(block);
        string socket = Path.Combine(run.Directory, run.NextName("grpc") + ".sock");
        using BenchChild server = BenchChild.Start(ServerVerb, socket);
        var timers = new RoundTripTimer[clients];
        Task[] loops = Enumerable.Range(0, clients).Select(c => Task.Factory.StartNew(() =>
        {
            timers[c] = new RoundTripTimer(block * run.Plan.WarmupBlocks, block, run.Plan.Blocks);
            using GrpcChannel channel = Connect(socket);
            CallInvoker invoker = channel.CreateCallInvoker();
            var source = new MessageSource(messageBytes);
            var check = new MessageCheck();
            for (int i = 0; i < total; i++)
            {
                long start = Stopwatch.GetTimestamp();
                byte[] request = new byte[messageBytes];
                source.FillInto(request, i);
                byte[] response = invoker.AsyncUnaryCall(EchoMethod, null, default, request).ResponseAsync.GetAwaiter().GetResult();
                check.Accept(response);
                timers[c].Record(Stopwatch.GetTimestamp() - start);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        Task.WaitAll(loops);
        server.ThrowIfExited();
        return Measurement.RoundTrip(Scenarios.Grpc, messageBytes, block, timers.SelectMany(t => t.Blocks).ToArray()) with
        {
            Scenario = Scenarios.Request,
            Producers = clients,
        };
    }

    /// <summary>The server child: <c>SOCKET_PATH</c>; serves the echo method until this process's parent goes.</summary>
    public static void Serve(string[] args)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ListenUnixSocket(args[0], listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(options => options.MaxReceiveMessageSize = 1 << 24);
        WebApplication app = builder.Build();
        app.MapGrpcService<EchoService>();
        app.StartAsync().GetAwaiter().GetResult();
        Console.WriteLine("ready");
        app.WaitForShutdownAsync().GetAwaiter().GetResult();
    }

    private static GrpcChannel Connect(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = 1 << 24 });
    }

    /// <summary>The service: binds the echo method by hand, as generated code would.</summary>
    [BindServiceMethod(typeof(EchoService), nameof(BindService))]
    internal sealed class EchoService
    {
        public static void BindService(ServiceBinderBase binder, EchoService service) =>
            binder.AddMethod(EchoMethod, (UnaryServerMethod<byte[], byte[]>)service.Echo);

        public Task<byte[]> Echo(byte[] request, ServerCallContext context) => Task.FromResult(request);
    }
}
