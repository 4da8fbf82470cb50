using System;
using System.Threading.Tasks;
using NeoBuffer.Requests;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;
using static NeoBuffer.Runtime.Tests.ManualServing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>
/// A client and a server of different envelope formats (the first line of the service schema) are refused at connect,
/// before either writes a record into the other's ring: the newer client says so in plain words, and an older peer's
/// own schema check refuses the newer side.
/// </summary>
public sealed class EnvelopeFormatTests
{
    [Fact]
    public async Task A_client_connecting_to_a_server_of_another_envelope_format_is_refused_naming_both_formats()
    {
        // A server of format 1 (the request envelope without a token), as it lays out its request ring.
        using var channel = new TestChannel("ef");
        using SharedChannelReader requests = CreateRequestRing(channel, SchemaOfFormat(1));

        ChannelSchemaMismatchException refused = await Assert.ThrowsAsync<ChannelSchemaMismatchException>(
            async () => await SharedChannel.ConnectAsync<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16), Generous));

        Assert.Contains($"envelope format 1, and this client in format {ServiceEnvelope.Format}", refused.Message);
        Assert.StartsWith("neobuffer-service 1\n", refused.ActualSchema);
        Assert.False(requests.TryLease(out _)); // no connect record was written
        Assert.Empty(System.IO.Directory.GetFiles(channel.Directory, $"neobuffer.{channel.Name}.reply-*")); // its response ring is gone
    }

    [Fact]
    public async Task A_peer_of_another_envelope_format_cannot_write_into_a_server_s_request_ring()
    {
        // What an older client's connect does first: open the request ring as a writer with its own service schema.
        using var channel = new TestChannel("ef");
        using SharedServer<AddRequest, AddResponse> server = SharedChannel.CreateServer<AddRequest, AddResponse>(channel.Name, channel.Options(1 << 16));

        ChannelSchemaMismatchException refused = Assert.Throws<ChannelSchemaMismatchException>(
            () => SharedChannel.OpenWriter(channel.Name, new SharedChannelOptions { Directory = channel.Directory }, SchemaOfFormat(1)));

        Assert.StartsWith($"neobuffer-service {ServiceEnvelope.Format}\n", refused.ActualSchema);
        Assert.Equal(0, server.ClientCount);

        // The service itself still serves clients of its own format.
        using SharedClient<AddRequest, AddResponse> client = await ManualServing.ConnectAsync(server, channel);
        Assert.Equal(1, server.ClientCount);
    }

    [Fact]
    public void The_envelope_format_is_read_from_a_service_schema_and_from_nothing_else()
    {
        Assert.True(ServiceEnvelope.TryReadFormat(ServiceSchema<AddRequest, AddResponse>.Layout.SchemaText, out int format));
        Assert.Equal(ServiceEnvelope.Format, format);
        Assert.True(ServiceEnvelope.TryReadFormat("neobuffer-service 7", out format));
        Assert.Equal(7, format);
        Assert.False(ServiceEnvelope.TryReadFormat(AddRequest.Layout.SchemaText, out _));
        Assert.False(ServiceEnvelope.TryReadFormat("neobuffer-service -1\nrequest\n", out _));
        Assert.False(ServiceEnvelope.TryReadFormat("neobuffer-service 99999999999\n", out _));
        Assert.False(ServiceEnvelope.TryReadFormat("", out _));
    }

    // The add service's schema as a peer of envelope format FORMAT writes it.
    private static MessageLayout SchemaOfFormat(int format)
    {
        MessageLayout current = ServiceSchema<AddRequest, AddResponse>.Layout;
        string text = ServiceEnvelope.FirstLine(format) + current.SchemaText.Substring(current.SchemaText.IndexOf('\n'));
        return new MessageLayout(current.Name, fixedSize: 0, alignment: 1, Array.Empty<MessageField>(), text);
    }
}
