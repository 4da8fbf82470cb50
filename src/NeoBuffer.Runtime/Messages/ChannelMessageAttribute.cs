using System;

namespace NeoBuffer;

/// <summary>
/// Marks a <c>partial struct</c> as a message that can cross a process boundary through a shared-memory channel.
/// The NeoBuffer source generator emits its layout, fingerprint, <c>View</c> and <c>Builder</c>; the NeoBuffer
/// analyzers reject fields that cannot cross a process boundary.
/// </summary>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = false, Inherited = false)]
public sealed class ChannelMessageAttribute : Attribute
{
    /// <summary>
    /// The stable schema name stored in the channel header and hashed into the fingerprint.
    /// Defaults to the full type name; set it to keep the identity when the type is renamed or moved.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The message's version, from 1; 0 (the default) for a message that does not evolve. A versioned message's records
    /// carry their fixed-block length, so that programs built with different versions share one channel: fields are
    /// appended with <see cref="SinceAttribute">[Since(n)]</see> and retired with <see cref="ObsoleteAttribute">[Obsolete]</see>,
    /// never removed, moved or retyped (docs/messages.md, "Evolution"). Declare it from the first version you ship.
    /// </summary>
    public int Version { get; set; }
}
