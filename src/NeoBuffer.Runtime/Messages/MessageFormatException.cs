using System;

namespace NeoBuffer;

/// <summary>
/// A message read from a channel is malformed: a variable-length descriptor points outside the record, or the record is
/// too short for the message's fixed block. The record is skipped by nothing: the caller decides. Like every error
/// NeoBuffer raises about a channel's contents, it is a <see cref="SharedChannelException"/>.
/// </summary>
public sealed class MessageFormatException : SharedChannelException
{
    /// <summary>Creates the exception with a message that says what was wrong.</summary>
    public MessageFormatException(string message) : base(message)
    {
    }
}
