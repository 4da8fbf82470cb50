namespace NeoBuffer;

/// <summary>
/// Handles could not be passed as a message said: the socket did not carry the batch the message refers to, a handle
/// is of another kind than declared or asked for, a batch holds more handles than allowed, or the peer broke the
/// handle protocol. The handles involved have been closed; none is left open in this process.
/// </summary>
public sealed class HandleTransferException : SharedChannelException
{
    /// <summary>Creates the exception.</summary>
    public HandleTransferException(string message)
        : base(message)
    {
    }
}
