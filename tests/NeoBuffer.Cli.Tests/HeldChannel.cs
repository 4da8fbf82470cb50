using System;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using NeoBuffer.Testing;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.Cli.Tests;

/// <summary>
/// A typed channel of <see cref="VideoFrame"/>s created and held by a real TestHost process (<c>frames-hold</c>), with
/// <see cref="Count"/> frames written (see <see cref="FrameContent"/>); disposing kills the process.
/// </summary>
internal sealed class HeldChannel : IDisposable
{
    public const int MaxPixels = 100;

    private HeldChannel(TestChannel channel, ChildProcess writer, int count)
    {
        Channel = channel;
        Writer = writer;
        Count = count;
    }

    public TestChannel Channel { get; }

    public ChildProcess Writer { get; }

    public int Count { get; }

    public string Name => Channel.Name;

    public string Directory => Channel.Directory;

    public static async Task<HeldChannel> StartAsync(string topology, int count, bool stream = false, TestChannel? neighbour = null)
    {
        TestChannel channel = neighbour is null ? new TestChannel("cli") : new TestChannel("cli", neighbour);
        string[] args = stream
            ? [channel.Directory, channel.Name, topology, count.ToString(), MaxPixels.ToString(), "stream"]
            : [channel.Directory, channel.Name, topology, count.ToString(), MaxPixels.ToString()];
        ChildProcess writer = ChildProcess.Start("frames-hold", args);
        try
        {
            await writer.WaitForLineAsync("ready", TimeSpan.FromSeconds(60));
        }
        catch
        {
            writer.Dispose();
            channel.Dispose();
            throw;
        }

        return new HeldChannel(channel, writer, count);
    }

    /// <summary>Kills the writer with SIGKILL and waits until it is gone.</summary>
    public async Task KillWriterAsync()
    {
        Writer.Kill();
        await Writer.ExitCodeAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Null when <paramref name="fields"/> (as <c>tail --json</c> printed them) are frame <paramref name="sequence"/> as written, else what differs.</summary>
    public static string? Verify(JsonElement fields, long sequence)
    {
        var expected = new StringBuilder();
        var actual = new StringBuilder();
        void Check(string what, object? want, object? got)
        {
            if (!Equals(want, got))
            {
                expected.Append($"{what}={want} ");
                actual.Append($"{what}={got} ");
            }
        }

        Check("Sequence", sequence, fields.GetProperty("Sequence").GetInt64());
        Check("Width", 640 + (int)sequence, fields.GetProperty("Width").GetInt32());
        Check("Height", 480, fields.GetProperty("Height").GetInt32());
        Check("Format", 1 + (int)(sequence % 3), fields.GetProperty("Format").GetInt32());
        Check("KeyFrame", sequence % 4 == 0, fields.GetProperty("KeyFrame").GetBoolean());
        Check("Origin.X", (double)sequence, fields.GetProperty("Origin").GetProperty("X").GetDouble());
        Check("Origin.Y", (double)-sequence, fields.GetProperty("Origin").GetProperty("Y").GetDouble());
        Check("CameraName", FrameContent.CameraName(sequence), fields.GetProperty("CameraName").GetString());
        int pixels = FrameContent.PixelLength(sequence, MaxPixels);
        Check("Pixels.length", (long)pixels, fields.GetProperty("Pixels").GetProperty("length").GetInt64());
        byte[] preview = new byte[Math.Min(pixels, 32)];
        for (int i = 0; i < preview.Length; i++)
        {
            preview[i] = (byte)(i * 31 + sequence);
        }

        Check("Pixels.hex", Convert.ToHexStringLower(preview), fields.GetProperty("Pixels").GetProperty("hex").GetString());
        JsonElement corners = fields.GetProperty("Corners");
        Check("Corners.count", FrameContent.CornerCount(sequence), corners.GetArrayLength());
        int index = 0;
        foreach (JsonElement corner in corners.EnumerateArray())
        {
            Check($"Corners[{index}]", $"{index},{sequence}", $"{corner.GetProperty("X").GetDouble()},{corner.GetProperty("Y").GetDouble()}");
            index++;
        }

        return expected.Length == 0 ? null : $"frame {sequence}: expected {expected}but got {actual}";
    }

    public void Dispose()
    {
        Writer.Dispose();
        Channel.Dispose();
    }
}
