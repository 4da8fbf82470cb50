using System;
using System.Diagnostics;
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
using NeoBuffer.Testing;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// Request/response through gRPC over a Unix domain socket, as Microsoft documents it for inter-process communication
/// in .NET: a Grpc.AspNetCore server child (Kestrel listening on the socket, HTTP/2 only) serving
/// <see cref="GrpcEchoService"/>, and in this process CLIENTS Grpc.Net.Client channels (each its own HTTP/2
/// connection, a <see cref="SocketsHttpHandler"/> whose connect callback opens the socket), each on a thread of its
/// own making one unary call at a time and checking every byte of the response.
/// </summary>
internal static class GrpcRequests
{
    public const string ServerVerb = "grpc-server";

    public static Measurement Measure(BenchRun run, int messageBytes, int clients)
    {
        // Kestrel takes a socket path (the abstract namespace is not among its endpoints): a file in the run's directory.
        string socketPath = System.IO.Path.Combine(run.Directory, run.NextName("grpc") + ".sock");
        using ChildProcess server = BenchChildren.Start(ServerVerb, socketPath);
        return RequestClients.Run(run, Scenarios.Grpc, messageBytes, clients, (_, total, timer) =>
        {
            using GrpcChannel channel = Connect(socketPath);
            CallInvoker invoker = channel.CreateCallInvoker();
            var source = new MessageSource(messageBytes);
            var check = new MessageCheck();
            for (int i = 0; i < total; i++)
            {
                long start = Stopwatch.GetTimestamp();
                byte[] request = new byte[messageBytes]; // the marshaller hands gRPC the array: one per call, as a gRPC user's
                source.FillInto(request, i);
                byte[] response = invoker.BlockingUnaryCall(GrpcEchoServiceBase.EchoMethod, null, new CallOptions(deadline: DateTime.UtcNow + BenchRun.ChildTimeout), request);
                check.Accept(response);
                timer.Record(Stopwatch.GetTimestamp() - start);
            }

            server.ThrowIfExited();
        });
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

        // The authority is not used for routing over the socket; http:// makes the channel speak HTTP/2 in clear text.
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions
        {
            HttpHandler = handler,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
    }

    /// <summary>The server child: <c>SOCKET_PATH</c>; serves until killed (or its parent goes).</summary>
    public static void Serve(string[] args)
    {
        string socketPath = args[0];
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the child's output is its "ready" line and nothing else
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.ListenUnixSocket(socketPath, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        using WebApplication app = builder.Build();
        app.MapGrpcService<GrpcEchoService>();
        app.StartAsync().GetAwaiter().GetResult();
        Console.WriteLine("ready");
        app.WaitForShutdownAsync().GetAwaiter().GetResult(); // until killed at the session's end (or SIGTERM); ParentWatch ends it if the parent goes
    }
}
