using System;
using System.Globalization;

namespace NeoBuffer.Cli;

/// <summary>How numbers, sizes and ages are written in tables (JSON gets the raw values).</summary>
internal static class Formatting
{
    public static string Topology(ChannelTopology topology) => topology switch
    {
        ChannelTopology.MultiProducerSingleConsumer => "mpsc",
        ChannelTopology.Broadcast => "broadcast",
        _ => "spsc",
    };

    public static string Fingerprint(ulong fingerprint) => fingerprint.ToString("x16", CultureInfo.InvariantCulture);

    public static string Bytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        int unit = 0;
        while (Math.Abs(bytes) >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes:0} {units[unit]}" : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {units[unit]}");
    }

    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e6:0.##} M"),
        >= 1e3 => string.Create(CultureInfo.InvariantCulture, $"{perSecond / 1e3:0.#} k"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0}"),
    };

    /// <summary>Ring fill: "312 B (0%)".</summary>
    public static string Fill(long used, long capacity) => $"{Bytes(used)} ({Percent(used, capacity)})";

    public static string Percent(long used, long capacity) =>
        string.Create(CultureInfo.InvariantCulture, $"{(capacity <= 0 ? 0 : 100.0 * used / capacity):0.#}%");

    public static string Age(DateTimeOffset createdAt, DateTimeOffset now)
    {
        TimeSpan age = now - createdAt;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age.TotalDays >= 1 ? $"{(int)age.TotalDays}d{age.Hours}h"
            : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h{age.Minutes}m"
            : age.TotalMinutes >= 1 ? $"{(int)age.TotalMinutes}m{age.Seconds}s"
            : $"{(int)age.TotalSeconds}s";
    }

    /// <summary>"writer 1234 alive", "subscriber 88 dead lossy".</summary>
    public static string Participant(ParticipantSnapshot participant) =>
        $"{participant.Role} {participant.Pid} {(participant.IsAlive ? "alive" : "dead")}" +
        (participant.Mode is SubscriberMode mode ? " " + mode.ToString().ToLowerInvariant() : "");
}
