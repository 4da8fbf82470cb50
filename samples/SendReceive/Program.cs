using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer;

[assembly: SupportedOSPlatform("linux")]

// Lines of text from any number of sender processes to one receiver, over a multi-producer channel:
//   terminal 1:  dotnet run --project samples/SendReceive -- receive chat     prints every line it gets; Ctrl+C ends it
//   terminal 2:  dotnet run --project samples/SendReceive -- send chat        sends each line typed; Ctrl+D or Ctrl+C ends it
//   terminal 3:  dotnet run --project samples/SendReceive -- send chat        ... as many senders as you like (up to 16)
// The receiver's standard output is exactly the lines it received, one per message (control characters become spaces).
// Standard error carries the one line that says why a process failed (SampleExit.cs: exit code 1, or 2 for a bad
// command line), and a greeting only when it is a terminal.
if (args.Length != 2 || args[0] is not ("send" or "receive"))
{
    return SampleExit.Print(SampleExit.Usage, "usage: SendReceive receive NAME | SendReceive send NAME");
}

// Ctrl+C and SIGTERM end either side cleanly: it detaches from the channel, and the last one out removes it.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onHangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop); // the terminal closed
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

string name = args[1];
return args[0] == "receive"
    ? SampleExit.Run("receiver", () => Receive(name, stop.Token))
    : SampleExit.Run("sender", () => Send(name, stop.Token));

static int Receive(string name, CancellationToken stop)
{
    SharedChannelReader? reader = OpenReceiver(name, out string? refusal);
    if (reader is null)
    {
        return SampleExit.Print(SampleExit.Failed, $"receiver: {refusal}");
    }

    using (reader)
    {
        Greet($"receiving on '{name}' (Ctrl+C to stop)");
        try
        {
            while (reader.WaitToRead(stop))
            {
                while (reader.TryLease(out ReadLease line))
                {
                    using (line)
                    {
                        // Any process that opens the channel can write into it, not only this sample's senders: invalid
                        // UTF-8 becomes U+FFFD, and control characters become spaces, so a message is always one line
                        // and cannot forge another or drive the terminal (escape sequences).
                        Console.WriteLine(SampleExit.OneLine(Encoding.UTF8.GetString(line.Payload)));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    return SampleExit.Done;
}

// Creates the channel, or takes over one that senders kept open after their receiver left or died: the lines they sent
// meanwhile wait in its ring, and this receiver prints them first. Null (and why) when the name is someone else's.
static SharedChannelReader? OpenReceiver(string name, out string? refusal)
{
    refusal = null;
    var options = new SharedChannelOptions { Topology = ChannelTopology.MultiProducerSingleConsumer, Capacity = 1 << 20 };
    try
    {
        return SharedChannel.CreateReader(name, options);
    }
    catch (ChannelExistsException)
    {
    }

    SharedChannelReader reader;
    try
    {
        reader = SharedChannel.OpenReader(name);
    }
    catch (ChannelRoleTakenException)
    {
        refusal = $"another receiver is running on '{name}' (a channel has one): stop it first, or pick another name.";
        return null;
    }

    ChannelTopology topology = reader.Topology;
    if (topology != ChannelTopology.MultiProducerSingleConsumer)
    {
        reader.Dispose();
        refusal = $"'{name}' is a {topology} channel of another program, not a SendReceive chat: pick another name.";
        return null;
    }

    return reader;
}

static int Send(string name, CancellationToken stop)
{
    // How long a line waits for room before the sender decides its receiver stopped reading.
    TimeSpan roomTimeout = TimeSpan.FromSeconds(10);

    SharedChannelWriter writer;
    try
    {
        writer = SharedChannel.OpenWriter(name);
    }
    catch (ChannelNotFoundException)
    {
        return SampleExit.Print(SampleExit.Failed, $"No receiver: there is no channel '{name}'. Start one first: dotnet run --project samples/SendReceive -- receive {name}");
    }

    using (writer)
    {
        Greet($"sending each line of standard input to '{name}' (Ctrl+D to end)");
        try
        {
            while (ReadLine(stop) is string text)
            {
                int length = Encoding.UTF8.GetByteCount(text);
                if (length > writer.MaxMessageSize)
                {
                    Console.Error.WriteLine($"skipped a line of {length:N0} bytes: the channel takes at most {writer.MaxMessageSize:N0}");
                    continue;
                }

                // Claim room for the line in the ring (waiting while the receiver catches up) and encode it in place.
                // A receiver that died or left fails this wait once the ring is full (ChannelClosedException, which
                // SampleExit reports): nothing would ever make room again. One that is alive but takes nothing for
                // roomTimeout (stopped, stuck) ends it too: the ring holds a megabyte of lines, so it has read none of
                // a great many.
                WriteClaim claim;
                try
                {
                    claim = writer.Claim(length, roomTimeout, stop);
                }
                catch (TimeoutException)
                {
                    return SampleExit.Print(SampleExit.Failed,
                        $"sender: the receiver of '{name}' made no room for a line in {roomTimeout.TotalSeconds:0} s: the channel is full, and the receiver is stopped or stuck. This line and the rest were not sent.");
                }

                Encoding.UTF8.GetBytes(text, claim.Payload);
                claim.Commit();
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Lines still in the ring with no receiver alive are lost with the segment if this is the last sender out, or
        // wait for a receiver that may never come: say so, rather than end as if they were delivered. (Checked while
        // still attached, so the segment is there to look at.)
        if (UnreadWithoutReceiver(name) is long unread)
        {
            return SampleExit.Print(SampleExit.Failed,
                $"sender: {unread:N0} bytes of lines sent to '{name}' were never read: its receiver died or left. Start a receiver (receive {name}) before the last sender ends, or send them again.");
        }
    }

    return SampleExit.Done;
}

// The bytes in the ring no receiver will read (none is alive), or null when a live receiver has them or they were read.
static long? UnreadWithoutReceiver(string name)
{
    foreach (ChannelInfo channel in SharedChannel.List())
    {
        if (channel.Name == name)
        {
            bool receiverAlive = channel.Participants.Any(p => p.Role == ChannelRole.Reader && p.IsAlive);
            return receiverAlive || channel.Tail <= channel.Head ? null : channel.Tail - channel.Head;
        }
    }

    return null;
}

// Console.ReadLine cannot be interrupted, so it runs on the thread pool while this thread waits for it or for Ctrl+C.
static string? ReadLine(CancellationToken stop) => Task.Run(Console.In.ReadLine).WaitAsync(stop).GetAwaiter().GetResult();

// A greeting is for a person at a terminal; a script that redirects standard error gets only failures there.
static void Greet(string line)
{
    if (!Console.IsErrorRedirected)
    {
        Console.Error.WriteLine(line);
    }
}
