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
}
