using System;

namespace NeoBuffer.Requests;

/// <summary>
/// The schema a request/response service records in its request ring and in every client's response ring: the request
/// type's schema and the response type's, so a client of either other type is refused at connect, with both shown.
/// Its first line names the envelope format (<see cref="ServiceEnvelope.Format"/>), so a peer that frames its records
/// differently is refused by the same check, before it writes a record.
/// </summary>
internal static class ServiceSchema<TRequest, TResponse>
    where TRequest : unmanaged, IChannelMessage<TRequest>
    where TResponse : unmanaged, IChannelMessage<TResponse>
{
    public static readonly MessageLayout Layout = new(
        $"service {TRequest.Layout.Name} -> {TResponse.Layout.Name}",
        fixedSize: 0,
        alignment: 1,
        Array.Empty<MessageField>(),
        ServiceEnvelope.FirstLine(ServiceEnvelope.Format) + "\nrequest\n" + TRequest.Layout.SchemaText + "response\n" + TResponse.Layout.SchemaText);
}
