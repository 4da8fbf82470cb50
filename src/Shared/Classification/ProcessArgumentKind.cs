namespace NeoBuffer.Classification
{
    /// <summary>How a process function's argument or result crosses to the other process.</summary>
    internal enum ProcessArgumentKind
    {
        /// <summary>An unmanaged value (a fixed-size <c>[ChannelMessage]</c> included): its bytes.</summary>
        Value,

        /// <summary>A string (or null): UTF-8.</summary>
        String,

        /// <summary>An <c>OwnedMessage&lt;T&gt;</c>: the record's bytes.</summary>
        Message,

        /// <summary>A <c>SharedChannelReader</c> parameter: the caller passes the channel's writer.</summary>
        ChannelReader,

        /// <summary>A <c>SharedChannelWriter</c> parameter: the caller passes the channel's reader.</summary>
        ChannelWriter,

        /// <summary>A <c>SharedChannelReader&lt;T&gt;</c> parameter: the caller passes the channel's writer.</summary>
        TypedChannelReader,

        /// <summary>A <c>SharedChannelWriter&lt;T&gt;</c> parameter: the caller passes the channel's reader.</summary>
        TypedChannelWriter,

        /// <summary>A <c>SafeFileHandle</c>: a descriptor the child inherits.</summary>
        File,

        /// <summary>A <c>SharedDuplexChannel</c> parameter: the caller passes its own end, the child opens the other.</summary>
        Duplex,

        /// <summary>A <c>SharedDuplexChannel&lt;TWrite, TRead&gt;</c> parameter: the caller passes <c>SharedDuplexChannel&lt;TRead, TWrite&gt;</c>.</summary>
        TypedDuplex,
    }
}
