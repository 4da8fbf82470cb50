using System.CommandLine;

namespace NeoBuffer.Cli;

/// <summary>The options several verbs share, each made anew for each verb (an option belongs to one command).</summary>
internal static class CommonOptions
{
    public static Option<string?> Directory() => new("--dir", "-d")
    {
        Description = "The channels' directory (default: NEOBUFFER_DIR, else /dev/shm).",
    };

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print JSON instead of a table.",
    };

    public static Argument<string> ChannelName() => new("name")
    {
        Description = "The channel's name.",
    };
}
