using System;
using System.IO;

namespace NeoBuffer;

/// <summary>The base of every error NeoBuffer raises about a channel's segment or its contents.</summary>
public class SharedChannelException : IOException
{
    /// <summary>Creates the exception.</summary>
    public SharedChannelException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}

/// <summary>No channel of that name exists in the directory (or it is being removed by its last participant).</summary>
public sealed class ChannelNotFoundException : SharedChannelException
{
    /// <summary>Creates the exception.</summary>
    public ChannelNotFoundException(string message) : base(message)
    {
    }
}

/// <summary>A channel of that name already exists, so it cannot be created.</summary>
public sealed class ChannelExistsException : SharedChannelException
{
    /// <summary>Creates the exception.</summary>
    public ChannelExistsException(string message) : base(message)
    {
    }
}

/// <summary>
/// The file is not a NeoBuffer channel, or its header is truncated, corrupted, of another format version or byte order,
/// or describes sizes that cannot be right. Opening it changed nothing on disk.
/// </summary>
public sealed class ChannelFormatException : SharedChannelException
{
    /// <summary>Creates the exception.</summary>
    public ChannelFormatException(string message) : base(message)
    {
    }
}

/// <summary>The channel carries messages of another schema than the one it was opened with. The message shows both.</summary>
public sealed class ChannelSchemaMismatchException : SharedChannelException
{
    /// <summary>Creates the exception.</summary>
    public ChannelSchemaMismatchException(string message, string expectedSchema, string actualSchema) : base(message)
    {
        ExpectedSchema = expectedSchema;
        ActualSchema = actualSchema;
    }

    /// <summary>The schema text of the type the caller opened the channel with.</summary>
    public string ExpectedSchema { get; }

    /// <summary>The schema text stored in the channel header.</summary>
    public string ActualSchema { get; }
}

/// <summary>The role asked for (producer or consumer) is already held by another live participant.</summary>
public sealed class ChannelRoleTakenException : SharedChannelException
{
    /// <summary>Creates the exception.</summary>
    public ChannelRoleTakenException(string message) : base(message)
    {
    }
}

/// <summary>
/// The ring's shared state is inconsistent: a position, length or record type read from shared memory is impossible.
/// A peer is faulty or hostile; nothing outside the ring was read, and the channel cannot be trusted further.
/// </summary>
public sealed class ChannelCorruptedException : SharedChannelException
{
    /// <summary>Creates the exception.</summary>
    public ChannelCorruptedException(string message) : base(message)
    {
    }
}
