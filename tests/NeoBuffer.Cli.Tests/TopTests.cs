using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace NeoBuffer.Cli.Tests;

/// <summary>
/// <c>neobuffer top</c> in a real pseudo-terminal: tmux runs it in a detached session, and the test reads the screen.
/// tmux is installed by .ci/run when missing; without it this test is reported skipped, saying so, never passed.
/// </summary>
public sealed class TopTests
{
    [Fact]
    public async Task Top_redraws_a_live_table_with_each_participants_rate_and_quits_on_q()
    {
        if (!await Tmux.IsInstalledAsync())
        {
            throw Xunit.Sdk.SkipException.ForSkip("tmux is not installed (.ci/run installs it with apt-get; that failed here): top needs a pseudo-terminal to be tested");
        }

        using HeldChannel held = await HeldChannel.StartAsync("broadcast", count: 1, stream: true);
        await using var tmux = new Tmux();
        await tmux.StartAsync($"NO_COLOR=1 dotnet {Neobuffer.ToolPath} top --dir {held.Directory} --interval 200");

        // Two screens a few refreshes apart: the writer's message count grows, and its rate is shown non-zero.
        string first = await tmux.WaitForScreenAsync(screen => WriterLine(screen, held) is string line && Messages(line) > 0, TimeSpan.FromSeconds(60));
        long before = Messages(WriterLine(first, held)!);
        string second = await tmux.WaitForScreenAsync(
            screen => WriterLine(screen, held) is string line && Messages(line) > before && Rate(line) > 0, TimeSpan.FromSeconds(60));
        Assert.Contains("neobuffer top: 1 channels", second);
        Assert.Contains(held.Name, second);
        Assert.Contains("broadcast", second);
        Assert.Contains("MSGS/S", second);
        Assert.Contains("╭", second); // the rounded table of a terminal, not the plain text of a pipe

        await tmux.SendKeysAsync("q");
        await tmux.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    private static string? WriterLine(string screen, HeldChannel held) =>
        screen.Split('\n').FirstOrDefault(l => l.Contains($" {held.Writer.Id} ") && l.Contains("writer"));

    // Cells of the writer's row: ROLE PID ALIVE MSGS/S BYTES/S MESSAGES ...; separated by │ on a terminal.
    private static string[] Cells(string line) => line.Split('│', StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray();

    private static long Messages(string line)
    {
        string[] cells = Cells(line);
        int role = Array.FindIndex(cells, c => c.StartsWith("writer"));
        return role >= 0 && cells.Length > role + 5 && long.TryParse(cells[role + 5], out long messages) ? messages : -1;
    }

    private static double Rate(string line)
    {
        string[] cells = Cells(line);
        int role = Array.FindIndex(cells, c => c.StartsWith("writer"));
        if (role < 0 || cells.Length <= role + 3)
        {
            return -1;
        }

        string rate = cells[role + 3];
        double scale = rate.EndsWith(" k") ? 1e3 : rate.EndsWith(" M") ? 1e6 : 1;
        return double.TryParse(rate.TrimEnd('k', 'M', ' '), System.Globalization.CultureInfo.InvariantCulture, out double value) ? value * scale : -1;
    }
}
