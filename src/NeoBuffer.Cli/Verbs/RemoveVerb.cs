using System;
using System.CommandLine;

namespace NeoBuffer.Cli.Verbs;

/// <summary><c>neobuffer rm NAME [--force]</c>: removes a channel; refused while live processes are attached unless forced.</summary>
internal static class RemoveVerb
{
    public static Command Create()
    {
        Argument<string> name = CommonOptions.ChannelName();
        Option<string?> directory = CommonOptions.Directory();
        Option<bool> force = new("--force") { Description = "Remove it even while live processes are attached (they keep their mapping) or when it is not a valid channel." };
        var command = new Command("rm", "Remove a channel (refused while live participants are attached, unless --force).")
        {
            name,
            directory,
            force,
        };
        command.SetAction(parsed => CliExit.Run(() =>
        {
            string channel = parsed.GetValue(name)!;
            ChannelInspector.Remove(channel, parsed.GetValue(directory), parsed.GetValue(force));
            Console.WriteLine($"removed {channel}");
            return CliExit.Done;
        }));
        return command;
    }
}
