using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;

namespace NeoBuffer.Cli.Verbs;

/// <summary><c>neobuffer gc [--dir D] [--dry-run]</c>: removes stale segments (every participant gone, not kept).</summary>
internal static class GcVerb
{
    public static Command Create()
    {
        Option<string?> directory = CommonOptions.Directory();
        Option<bool> dryRun = new("--dry-run", "-n") { Description = "Only list what would be removed." };
        var command = new Command("gc", "Remove stale channels: those every participant of which is gone (kept ones excepted).")
        {
            directory,
            dryRun,
        };
        command.SetAction(parsed => CliExit.Run(() => Run(parsed.GetValue(directory), parsed.GetValue(dryRun))));
        return command;
    }

    private static int Run(string? directory, bool dryRun)
    {
        List<ChannelSnapshot> stale = ChannelInspector.SnapshotAll(directory).Where(c => c.IsStale).ToList();
        if (dryRun)
        {
            foreach (ChannelSnapshot channel in stale)
            {
                Console.WriteLine($"would remove {channel.Name} ({Formatting.Topology(channel.Topology)}, {channel.Participants.Count(p => !p.IsAlive)} dead participants)");
            }

            Console.WriteLine($"{stale.Count} stale");
            return CliExit.Done;
        }

        // The sweep decides again under each segment's lifecycle lock: one that came back to life meanwhile stays.
        SharedChannel.RemoveStale(directory);
        int removed = 0;
        foreach (ChannelSnapshot channel in stale)
        {
            if (!File.Exists(channel.Path))
            {
                Console.WriteLine($"removed {channel.Name}");
                removed++;
            }
        }

        Console.WriteLine($"{removed} removed");
        return CliExit.Done;
    }
}
