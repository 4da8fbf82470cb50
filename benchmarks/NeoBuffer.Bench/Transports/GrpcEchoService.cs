using System.Threading.Tasks;
using Grpc.Core;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The gRPC service of the <c>request</c> run's gRPC baseline: one unary method, <c>Echo</c>, answering a request's
/// bytes with the same bytes. The definition is written by hand (what protoc would emit for a <c>bytes</c> message,
/// without the protobuf wrapper), so the payload is the message's bytes as they are.
/// </summary>
/// <remarks>
/// Grpc.AspNetCore finds the service's methods through <see cref="BindServiceMethodAttribute"/>: it calls
/// <see cref="BindService"/> with a null service, then looks up, by reflection, a public instance method named as each
/// added <see cref="Method{TRequest, TResponse}"/> with the parameters (<c>TRequest</c>, <see cref="ServerCallContext"/>).
/// The handler method's name must therefore be the method's name, <c>Echo</c>.
/// </remarks>
[BindServiceMethod(typeof(GrpcEchoService), nameof(BindService))]
internal sealed class GrpcEchoService
{
    /// <summary>The service's full name, as a .proto's <c>package.Service</c>.</summary>
    public const string ServiceName = "neobuffer.bench.EchoService";

    /// <summary>The payload goes as it is: no protobuf framing inside the gRPC message.</summary>
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static payload => payload, static payload => payload);

    /// <summary>The unary method <c>Echo(bytes) returns (bytes)</c>.</summary>
    public static Method<byte[], byte[]> EchoMethod { get; } = new(MethodType.Unary, ServiceName, nameof(Echo), Bytes, Bytes);

    /// <summary>Answers a request with its own bytes.</summary>
    public Task<byte[]> Echo(byte[] request, ServerCallContext context) => Task.FromResult(request);

    /// <summary>Adds the service's one method to <paramref name="binder"/> (the server binder passes a null service).</summary>
    public static void BindService(ServiceBinderBase binder, GrpcEchoService? service) =>
        binder.AddMethod(EchoMethod, service is null ? null : service.Echo);
}
