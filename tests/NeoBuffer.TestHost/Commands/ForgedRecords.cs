using System;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using NeoBuffer.Requests;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// What the hostile request-ring commands (and the tests that write request records by hand) share: the add server's
/// request ring, opened as a writer as any client opens it, and records written into it with an envelope of the
/// command's choosing.
/// </summary>
internal static class ForgedRecords
{
    /// <summary>Opens the request ring of the add server NAME in DIRECTORY as one more writer.</summary>
    public static SharedChannelWriter OpenRequests(string directory, string name) =>
        SharedChannel.OpenWriter(name, new SharedChannelOptions { Directory = directory }, ServiceSchema<AddRequest, AddResponse>.Layout);

    /// <summary>A random non-zero token: not the token of any client (who could guess one).</summary>
    public static long RandomToken() => BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8)) & long.MaxValue | 1;

    /// <summary>Writes one record: <paramref name="envelope"/>, then <paramref name="body"/>.</summary>
    public static void Write(SharedChannelWriter requests, in RequestEnvelope envelope, ReadOnlySpan<byte> body)
    {
        using WriteClaim claim = requests.Claim(RequestEnvelope.Size + body.Length, TimeSpan.FromSeconds(30));
        MemoryMarshal.Write(claim.Payload, in envelope);
        body.CopyTo(claim.Payload.Slice(RequestEnvelope.Size));
        claim.Commit();
    }

    /// <summary>Writes one record of exactly <paramref name="payload"/>, envelope or not: what only a hostile peer writes.</summary>
    public static void WriteRaw(SharedChannelWriter requests, ReadOnlySpan<byte> payload)
    {
        using WriteClaim claim = requests.Claim(payload.Length, TimeSpan.FromSeconds(30));
        payload.CopyTo(claim.Payload);
        claim.Commit();
    }
}
