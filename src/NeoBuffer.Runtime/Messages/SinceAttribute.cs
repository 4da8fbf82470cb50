using System;

namespace NeoBuffer;

/// <summary>
/// Marks a field of a versioned <see cref="ChannelMessageAttribute">[ChannelMessage]</see> as added in
/// <see cref="Version"/>: records of earlier versions do not have it, so the generated view reads it through
/// <c>Has&lt;Field&gt;</c> (and as its default when absent). Fields without it belong to version 1.
/// </summary>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false, Inherited = false)]
public sealed class SinceAttribute : Attribute
{
    /// <summary>Marks the field as added in <paramref name="version"/> (2 up to the message's <c>Version</c>).</summary>
    public SinceAttribute(int version) => Version = version;

    /// <summary>The message version that added the field.</summary>
    public int Version { get; }
}
