using System;

namespace NeoBuffer.Generators.Tests.Messages;

/// <summary>A typed message that carries a handle batch reference in a UInt128 field.</summary>
[ChannelMessage]
public partial struct FileJob
{
    public long Id;
    public UInt128 Handles;
    public VarUtf8 Note;
}
