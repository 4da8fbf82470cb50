using System.CommandLine;

namespace NeoBuffer.Cli;

/// <summary>The options several verbs share, each made anew for each verb (an option belongs to one command).</summary>
internal static class CommonOptions
{
    public static Option<string?> Directory()
    {
        var option = new Option<string?>("--dir", "-d")
        {
            Description = "The channels' directory (default: NEOBUFFER_DIR, else /dev/shm).",
        };

        // A mistyped directory would otherwise list as "no channels" and exit 0, which an operator reads as "all clean".
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is string directory && !System.IO.Directory.Exists(directory))
            {
                result.AddError($"--dir: the directory '{directory}' does not exist.");
            }
        });
        return option;
    }

    public static Option<bool> Json() => new("--json")
    {
        Description = "Print JSON instead of a table.",
    };

    public static Argument<string> ChannelName() => new("name")
    {
        Description = "The channel's name.",
    };
}
