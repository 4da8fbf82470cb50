using System;
using System.Linq;
using System.Runtime.Versioning;
using NeoBuffer.Testing;

namespace NeoBuffer.Runtime.Tests;

/// <summary>The public surface's conventions: enums rather than strings, one exception base, the platform declared.</summary>
public sealed class ApiShapeTests
{
    [Fact]
    public void The_library_declares_it_runs_on_linux_only()
    {
        var platforms = typeof(SharedChannel).Assembly.GetCustomAttributes(typeof(SupportedOSPlatformAttribute), inherit: false)
            .Cast<SupportedOSPlatformAttribute>().Select(a => a.PlatformName);
        Assert.Equal(["linux"], platforms);
    }

    [Fact]
    public void Every_channel_error_shares_the_library_base()
    {
        var errors = typeof(SharedChannel).Assembly.GetExportedTypes().Where(t => typeof(Exception).IsAssignableFrom(t));
        Assert.All(errors, t => Assert.True(typeof(SharedChannelException).IsAssignableFrom(t), $"{t.Name} is not a SharedChannelException"));
        Assert.Contains(typeof(MessageFormatException), errors);
    }

    [Fact]
    public void List_reports_completion_and_roles_as_enums()
    {
        using var channel = new TestChannel("enums");
        using SharedChannelWriter writer = SharedChannel.CreateWriter(channel.Name, channel.Options());
        using SharedChannelReader reader = SharedChannel.OpenReader(channel.Name, channel.Options());
        writer.Complete();
        ChannelInfo info = Assert.Single(SharedChannel.List(channel.Directory), i => i.Name == channel.Name);
        Assert.Equal(ChannelCompletionState.Completed, info.Completion);
        Assert.Equal([ChannelRole.Writer, ChannelRole.Reader], info.Participants.OrderBy(p => p.Row).Select(p => p.Role));
    }
}
