namespace NeoBuffer;

/// <summary>
/// What a handle passed with a message is. The sender declares it; the receiver checks the descriptor it got against
/// it (fstat) before anyone can take it, and takes it only as that kind.
/// </summary>
public enum HandleKind : byte
{
    /// <summary>A regular file: a <see cref="System.IO.FileStream"/> or <see cref="Microsoft.Win32.SafeHandles.SafeFileHandle"/>.</summary>
    File = 1,

    /// <summary>A socket: a <see cref="System.Net.Sockets.Socket"/>.</summary>
    Socket = 2,

    /// <summary>One end of an anonymous pipe (a FIFO): a <see cref="System.IO.Pipes.PipeStream"/>.</summary>
    Pipe = 3,

    /// <summary>A channel whose segment is a sealed memfd (a private or sealed channel): opened again as a reader or writer.</summary>
    Channel = 4,
}
