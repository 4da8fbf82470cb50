namespace NeoBuffer;

/// <summary>
/// Who is asking for a sealed channel: the credentials the kernel recorded for the peer's end of the socket when it
/// connected (<c>SO_PEERCRED</c>), so the peer cannot forge them. Ids are as seen from the server's namespaces.
/// </summary>
/// <param name="Pid">The peer's process id.</param>
/// <param name="Uid">The peer's effective user id.</param>
/// <param name="Gid">The peer's effective group id.</param>
public sealed record PeerCredentials(int Pid, uint Uid, uint Gid);
