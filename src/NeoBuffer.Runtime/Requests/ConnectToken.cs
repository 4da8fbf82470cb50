using System;
using System.Security.Cryptography;
using System.Threading;

namespace NeoBuffer.Requests;

/// <summary>
/// The proof that a connect record was written by the client whose response ring it names. The client draws a random
/// token, stamps it in its response ring's header and sends the same token in its connect record; the server serves
/// a record only if the ring it names carries that record's token. So a record naming someone else's ring (a peer
/// that writes into the request ring, knowing the ring's name from the directory) is refused, and the ring's owner
/// still connects: the server let go of the ring before it read the owner's own record.
/// </summary>
/// <remarks>
/// Who can forge it: only a process that can read the owner's response ring (its header, or the owner's connect
/// record once it is in the request ring). The ring is created <c>0600</c>, so that is a process of the same user,
/// which can deny service in many other ways (docs/security.md). A copy of an owner's record read from the request
/// ring comes after the original, which the server reads first and serves, so the copy finds the ring taken.
/// Ordering: the stamp is stored before the record is claimed and committed (a release), and the server reads it after
/// it read the record (an acquire) and mapped the ring, so an honest record always finds its stamp.
/// </remarks>
internal static unsafe class ConnectToken
{
    /// <summary>A random, non-zero token: nobody can guess it from what the request ring or the directory show.</summary>
    public static long New()
    {
        Span<byte> bytes = stackalloc byte[sizeof(long)];
        long token;
        do
        {
            RandomNumberGenerator.Fill(bytes);
            token = BitConverter.ToInt64(bytes) & long.MaxValue;
        }
        while (token == 0);
        return token;
    }

    /// <summary>Stamps <paramref name="token"/> in the header of the client's own response ring, before its connect record is sent.</summary>
    public static void Stamp(SharedChannelReader responses, long token) =>
        Volatile.Write(ref responses.Segment.Header->ConnectToken, token);

    /// <summary>Whether the response ring the server opened carries the token of the connect record that named it.</summary>
    public static bool IsStampedIn(SharedChannelWriter responses, long token) =>
        token != 0 && Volatile.Read(ref responses.Segment.Header->ConnectToken) == token;
}
