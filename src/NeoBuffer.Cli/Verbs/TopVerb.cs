using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace NeoBuffer.Cli.Verbs;

/// <summary>
/// <c>neobuffer top [--dir D]</c>: a live table of every channel and participant: messages/s and bytes/s from the
/// counters each participant keeps in its own row, ring fill, lost messages, parked waits and each reader's lag.
/// Read-only, like every verb but rm and gc. On a terminal it redraws in place until q or Ctrl+C; elsewhere it prints
/// one table per refresh.
/// </summary>
internal static class TopVerb
{
    public static Command Create()
    {
        Option<string?> directory = CommonOptions.Directory();
        Option<int> interval = new("--interval") { Description = "Milliseconds between refreshes.", DefaultValueFactory = _ => 1000 };
        Option<int> iterations = new("--iterations", "-i") { Description = "Stop after this many refreshes (0: until q or Ctrl+C)." };
        interval.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 50)
            {
                result.AddError("--interval must be at least 50 ms.");
            }
        });
        var command = new Command("top", "Watch every channel and participant live: rates, ring fill, losses, parked waits, lag.")
        {
            directory,
            interval,
            iterations,
        };
        command.SetAction(parsed => CliExit.Run(() => Run(parsed.GetValue(directory), parsed.GetValue(interval), parsed.GetValue(iterations))));
        return command;
    }

    private static int Run(string? directory, int intervalMs, int iterations)
    {
        using var stop = new StopSignal();
        IAnsiConsole console = Terminal.Create();
        var rates = new CounterRates();
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        if (!Terminal.IsInteractive)
        {
            for (int round = 0; !stop.IsStopped && (iterations <= 0 || round < iterations); round++)
            {
                if (round > 0)
                {
                    stop.Wait(interval);
                    console.WriteLine();
                }

                console.Write(Build(ChannelInspector.SnapshotAll(directory), rates, directory));
            }

            return CliExit.Done;
        }

        console.Live(Build(ChannelInspector.SnapshotAll(directory), rates, directory)).AutoClear(false).Start(live =>
        {
            for (int round = 1; !stop.IsStopped && (iterations <= 0 || round < iterations); round++)
            {
                if (WaitOrQuit(interval, stop))
                {
                    break;
                }

                live.UpdateTarget(Build(ChannelInspector.SnapshotAll(directory), rates, directory));
            }
        });
        return CliExit.Done;
    }

    /// <summary>Waits out one interval; true when the user pressed q (or Ctrl+C cancelled).</summary>
    private static bool WaitOrQuit(TimeSpan interval, StopSignal stop)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < interval)
        {
            if (stop.Wait(TimeSpan.FromMilliseconds(50)))
            {
                return true;
            }

            while (!Console.IsInputRedirected && Console.KeyAvailable)
            {
                if (Console.ReadKey(intercept: true).Key is ConsoleKey.Q or ConsoleKey.Escape)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static Table Build(IReadOnlyList<ChannelSnapshot> channels, CounterRates rates, string? directory)
    {
        Table table = Terminal.NewTable("CHANNEL", "TOPOLOGY", "FILL", "ROLE", "PID", "ALIVE", "MSGS/S", "BYTES/S", "MESSAGES", "LOST", "PARKED", "LAG");
        table.Title = new TableTitle(Terminal.Cell($"neobuffer top: {channels.Count} channels in {directory ?? Environment.GetEnvironmentVariable("NEOBUFFER_DIR") ?? "/dev/shm"} at {DateTime.Now:HH:mm:ss} (q to quit)"));
        rates.BeginRound();
        foreach (ChannelSnapshot channel in channels)
        {
            string fill = Formatting.Fill(channel.UsedBytes, channel.Capacity);
            if (channel.Participants.Count == 0)
            {
                table.AddRow(Terminal.Cell(channel.Name), Formatting.Topology(channel.Topology), fill, "-", "-", "-", "-", "-", "-", "-", "-", "-");
                continue;
            }

            bool first = true;
            foreach (ParticipantSnapshot p in channel.Participants)
            {
                (double messages, double bytes) = rates.Rate(channel, p);
                table.AddRow(
                    first ? Terminal.Cell(channel.Name) : "",
                    first ? Formatting.Topology(channel.Topology) : "",
                    first ? fill : "",
                    p.Role + (p.Mode is SubscriberMode mode ? " " + mode.ToString().ToLowerInvariant() : ""),
                    p.Pid.ToString(CultureInfo.InvariantCulture),
                    p.IsAlive ? "[green]yes[/]" : "[red]no[/]",
                    Formatting.Rate(messages),
                    Formatting.Bytes(bytes) + "/s",
                    p.Messages.ToString(CultureInfo.InvariantCulture),
                    p.Lost.ToString(CultureInfo.InvariantCulture),
                    p.ParkedWaits.ToString(CultureInfo.InvariantCulture),
                    Lag(channel, p));
                first = false;
            }
        }

        rates.EndRound();
        return table;
    }

    /// <summary>Bytes a reader has still to read: a subscriber from its own position, the SPSC/MPSC reader from Head.</summary>
    private static string Lag(ChannelSnapshot channel, ParticipantSnapshot p)
    {
        if (p.Role == "writer")
        {
            return "-";
        }

        long lag = channel.Topology == ChannelTopology.Broadcast
            ? (p.Position >= 0 ? channel.Tail - p.Position : 0)
            : channel.UsedBytes;
        return Formatting.Bytes(Math.Clamp(lag, 0, long.MaxValue));
    }
}
