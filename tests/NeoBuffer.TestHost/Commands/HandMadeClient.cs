using System;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using NeoBuffer.Requests;
using NeoBuffer.Waiting;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// A client of a server made by hand, as a peer that does not use <see cref="SharedClient{TRequest, TResponse}"/> makes
/// one: its own duplex channel (requests out, responses back; named, stamped and created as the library's client does),
/// a writer of the service ring (connects, disconnects), and records written with an envelope of the command's choosing. It takes the service's schema from the server's
/// request ring, so it is a client of any service (the add server of the tests, samples/RequestReply's server). It owns
/// its ring: it can do to it whatever the ring's reader can, which is what the hostile client commands do.
/// </summary>
internal sealed class HandMadeClient : IDisposable
{
    private HandMadeClient(SharedChannelReader replies, SharedChannelWriter? ownRequests, SharedChannelWriter requests, string replyName, long token)
    {
        Replies = replies;
        OwnRequests = ownRequests;
        Requests = requests;
        ReplyName = replyName;
        Token = token;
    }

    /// <summary>The response ring this client created (and reads, if it reads at all).</summary>
    public SharedChannelReader Replies { get; }

    /// <summary>This client's writer of the server's service ring (connects and disconnects; a request there is refused).</summary>
    public SharedChannelWriter Requests { get; }

    /// <summary>The request ring of this client's duplex channel, where its requests go; null for a ring of another topology than a client's.</summary>
    public SharedChannelWriter? OwnRequests { get; }

    /// <summary>The response ring's channel name, which the connect record carries.</summary>
    public string ReplyName { get; }

    /// <summary>The connect token stamped in the response ring.</summary>
    public long Token { get; }

    /// <summary>The id the server acknowledged (0 until <see cref="AwaitAcknowledgement"/>).</summary>
    public int ClientId { get; private set; }

    /// <summary>Creates a response ring of <paramref name="capacity"/> bytes (of another topology or longest message than a client's, if told), stamps a token in it, and opens the request ring of the server NAME.</summary>
    public static HandMadeClient Create(string directory, string name, long capacity, ChannelTopology topology = ChannelTopology.SingleProducerSingleConsumer, int? maxMessageSize = null)
    {
        MessageLayout schema = ServiceSchemaOf(directory, name);
        (SharedChannelReader replies, SharedChannelWriter? ownRequests, string replyName, long token) = CreateRing(directory, name, capacity, topology, maxMessageSize);
        try
        {
            return new HandMadeClient(replies, ownRequests, SharedChannel.OpenWriterBySchema(name, schema, new SharedChannelOptions { Directory = directory }), replyName, token);
        }
        catch
        {
            ownRequests?.Dispose();
            replies.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A client's channel for the server NAME, named and stamped with a new token as a client's is: a duplex channel (its
    /// first ring for requests, its second for responses), or, for another topology, one ring of that topology, which
    /// no server takes.
    /// </summary>
    public static (SharedChannelReader Replies, SharedChannelWriter? OwnRequests, string ReplyName, long Token) CreateRing(
        string directory, string name, long capacity, ChannelTopology topology = ChannelTopology.SingleProducerSingleConsumer, int? maxMessageSize = null)
    {
        string replyName = $"{name}.reply-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        var options = new SharedChannelOptions
        {
            Directory = directory,
            Capacity = capacity,
            MaxMessageSize = maxMessageSize ?? SharedChannelOptions.LargestMessageFor(capacity),
            Topology = topology,
        };
        MessageLayout schema = ServiceSchemaOf(directory, name);
        SharedChannelReader replies;
        SharedChannelWriter? ownRequests = null;
        if (topology == ChannelTopology.SingleProducerSingleConsumer)
        {
            SharedDuplexChannel channel = SharedDuplexChannel.Create(replyName, options, writeSchema: schema, readSchema: schema);
            (replies, ownRequests) = (channel.Reader, channel.Writer);
        }
        else
        {
            replies = SharedChannel.CreateReader(replyName, options, schema);
        }

        long token = ForgedRecords.RandomToken();
        ConnectToken.Stamp(replies, token);
        return (replies, ownRequests, replyName, token);
    }

    /// <summary>The service schema the server NAME's request ring records, as a layout that opens it (and makes its clients' rings).</summary>
    public static MessageLayout ServiceSchemaOf(string directory, string name)
    {
        ChannelInfo server = SharedChannel.List(directory).Single(channel => channel.Name == name);
        return new MessageLayout("service " + name, 0, 1, Array.Empty<MessageField>(), server.SchemaText);
    }

    /// <summary>The size of the request message of the service <paramref name="schema"/> (its first message's fixed size).</summary>
    public static int RequestSize(MessageLayout schema)
    {
        string line = schema.SchemaText.Split('\n').First(l => l.StartsWith("message ", StringComparison.Ordinal));
        return int.Parse(line.Split(' ').First(word => word.StartsWith("size=", StringComparison.Ordinal))["size=".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>Writes a connect record naming <paramref name="replyName"/> with <paramref name="token"/>.</summary>
    public static void SendConnect(SharedChannelWriter requests, string replyName, long token)
    {
        var envelope = new RequestEnvelope { Kind = RequestKind.Connect, Token = token };
        ForgedRecords.Write(requests, in envelope, Encoding.UTF8.GetBytes(replyName));
    }

    /// <summary>Writes this client's connect record (its ring's name, its token).</summary>
    public void SendConnect() => SendConnect(Requests, ReplyName, Token);

    /// <summary>Writes this client's disconnect record (its id, its token).</summary>
    public void SendDisconnect()
    {
        var envelope = new RequestEnvelope { ClientId = ClientId, Kind = RequestKind.Disconnect, Token = Token };
        ForgedRecords.Write(Requests, in envelope, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>Reads this client's ring up to the server's acknowledgement and keeps the id it carries.</summary>
    public void AwaitAcknowledgement(TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Replies.WaitToRead(deadline - DateTime.UtcNow);
            while (Replies.TryLease(out ReadLease lease))
            {
                using (lease)
                {
                    var envelope = MemoryMarshal.Read<ResponseEnvelope>(lease.Payload);
                    if (envelope.Status == ResponseStatus.Connected && envelope.CorrelationId == Token)
                    {
                        ClientId = envelope.Value;
                        return;
                    }
                }
            }
        }
    }

    /// <summary>Writes a request whose message is <paramref name="message"/> under this client's id and token with the id <paramref name="correlationId"/>.</summary>
    public void SendRequest(long correlationId, ReadOnlySpan<byte> message)
    {
        var envelope = new RequestEnvelope { CorrelationId = correlationId, ClientId = ClientId, Kind = RequestKind.Request, Token = Token };
        ForgedRecords.Write(OwnRequests ?? Requests, in envelope, message);
        RingWait.WakeIfParked(Requests.ReaderWakeWord); // as the library's client does: the server parks on the service ring
    }

    public void Dispose()
    {
        Requests.Dispose();
        OwnRequests?.Dispose();
        Replies.Dispose();
    }
}
