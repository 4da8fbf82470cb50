namespace NeoBuffer.TestHost.Messages;

/// <summary>
/// A versioned message with fixed fields only: its records still start with the versioned block prefix, so it cannot
/// be copied whole even though it has no variable-length fields.
/// </summary>
[ChannelMessage(Name = "NeoBuffer.Tests.VersionedAdd", Version = 1)]
public partial struct VersionedAdd
{
    public long A;
    public long B;
}
