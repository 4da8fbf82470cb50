using System;
using System.Linq;

namespace NeoBuffer.Nats;

/// <summary>
/// The schema a channel's header stores, as the layout a bridge checks records against and names in its headers:
/// what lets a bridge carry a typed channel without the message's .NET type.
/// </summary>
internal static class StoredSchema
{
    /// <summary>The layout of channel <paramref name="name"/>'s records, or null for a raw-bytes channel.</summary>
    /// <exception cref="ChannelNotFoundException">No channel of that name is in the directory.</exception>
    /// <exception cref="ChannelFormatException">Its header's schema text does not parse or does not match its fingerprint.</exception>
    public static MessageLayout? Of(string name, string? directory)
    {
        ChannelInfo info = SharedChannel.List(directory).FirstOrDefault(c => c.Name == name)
            ?? throw new ChannelNotFoundException($"No channel '{name}' in {directory ?? "the default directory (NEOBUFFER_DIR, else /dev/shm)"}: start the side that creates it first, or check the name and directory.");
        if (info.Fingerprint == 0)
        {
            return null;
        }

        if (!MessageSchema.TryParse(info.SchemaText, out MessageSchema? schema, out string? error))
        {
            throw new ChannelFormatException($"Channel '{name}' stores a schema text this version cannot read ({error}); a bridge cannot check its records.");
        }

        MessageLayout layout = MessageLayout.FromSchema(schema);
        if (layout.Fingerprint != info.Fingerprint)
        {
            throw new ChannelFormatException($"Channel '{name}' stores fingerprint 0x{info.Fingerprint:X16} but its schema text hashes to 0x{layout.Fingerprint:X16}: the header is damaged. Recreate the channel.");
        }

        return layout;
    }
}
