using System.Threading.Tasks;
using Grpc.Core;

namespace NeoBuffer.Bench.Transports;

/// <summary>
/// The gRPC service of the <c>request</c> run's gRPC baseline: one unary method, <c>Echo</c>, answering a request's
/// bytes with the same bytes. The definition is written by hand in the shape protoc emits (a base class carrying the
/// binding and a virtual method per RPC; the implementation overrides it), without the protobuf wrapper, so the
/// payload is the message's bytes as they are.
/// </summary>
/// <remarks>
/// Grpc.AspNetCore finds the methods through <see cref="BindServiceMethodAttribute"/>: it calls
/// <see cref="BindService"/> with a null service, then looks up, by reflection, a public instance method named as each
/// added <see cref="Method{TRequest, TResponse}"/>, taking (<c>TRequest</c>, <see cref="ServerCallContext"/>), that is
/// virtual with its base definition in the attributed class. A non-virtual handler is not found ("Could not find
/// 'Echo'"): hence the base class and the override.
/// </remarks>
[BindServiceMethod(typeof(GrpcEchoServiceBase), nameof(BindService))]
internal abstract class GrpcEchoServiceBase
{
    /// <summary>The service's full name, as a .proto's <c>package.Service</c>.</summary>
    public const string ServiceName = "neobuffer.bench.EchoService";

    /// <summary>The payload goes as it is: no protobuf framing inside the gRPC message.</summary>
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static payload => payload, static payload => payload);

    /// <summary>The unary method <c>Echo(bytes) returns (bytes)</c>.</summary>
    public static Method<byte[], byte[]> EchoMethod { get; } = new(MethodType.Unary, ServiceName, nameof(Echo), Bytes, Bytes);

    /// <summary>The <c>Echo</c> RPC; the name is the method's, which the server's binder looks the handler up by.</summary>
    public abstract Task<byte[]> Echo(byte[] request, ServerCallContext context);

    /// <summary>Adds the service's one method to <paramref name="binder"/> (the server's binder passes a null service).</summary>
    public static void BindService(ServiceBinderBase binder, GrpcEchoServiceBase? service) =>
        binder.AddMethod(EchoMethod, service is null ? null : service.Echo);
}

/// <summary>The echo: each request answered with its own bytes.</summary>
internal sealed class GrpcEchoService : GrpcEchoServiceBase
{
    /// <inheritdoc/>
    public override Task<byte[]> Echo(byte[] request, ServerCallContext context) => Task.FromResult(request);
}
