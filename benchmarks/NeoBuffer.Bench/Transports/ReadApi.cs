namespace NeoBuffer.Bench.Transports;

/// <summary>Which of the reader's waiting calls an idle reader sits in: the blocking one, or one of the two async ones.</summary>
internal enum ReadApi
{
    /// <summary><c>WaitToRead</c>: the calling thread parks on the futex.</summary>
    WaitToRead,

    /// <summary><c>WaitToReadAsync</c>: no thread of the caller's blocks; the runtime's futex waiter thread parks for it.</summary>
    WaitToReadAsync,

    /// <summary><c>ReadAllAsync</c>: the async enumeration, which waits with <c>WaitToReadAsync</c> between messages.</summary>
    ReadAllAsync,
}
