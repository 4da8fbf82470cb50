using System;
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
// Status goes to standard error, so the receiver's standard output is exactly the lines it received.
if (args.Length != 2 || args[0] is not ("send" or "receive"))
{
    Console.Error.WriteLine("usage: SendReceive receive NAME | SendReceive send NAME");
    return 2;
}

// Ctrl+C and SIGTERM end either side cleanly: it detaches from the channel, and the last one out removes it.
using var stop = new CancellationTokenSource();
using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

return args[0] == "receive" ? Receive(args[1], stop.Token) : Send(args[1], stop.Token);

static int Receive(string name, CancellationToken stop)
{
    var options = new SharedChannelOptions { Topology = ChannelTopology.MultiProducerSingleConsumer, Capacity = 1 << 20 };
    SharedChannelReader reader;
    try
    {
        reader = SharedChannel.CreateReader(name, options);
    }
    catch (ChannelExistsException)
    {
        Console.Error.WriteLine($"A channel named '{name}' exists already: is another receiver running?");
        return 1;
    }

    using (reader)
    {
        Console.Error.WriteLine($"receiving on '{name}' (Ctrl+C to stop)");
        try
        {
            while (reader.WaitToRead(stop))
            {
                while (reader.TryRead(out ReadLease line))
                {
                    using (line)
                    {
                        Console.WriteLine(Encoding.UTF8.GetString(line.Payload)); // invalid UTF-8 from a sender becomes U+FFFD
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    return 0;
}

static int Send(string name, CancellationToken stop)
{
    SharedChannelWriter writer;
    try
    {
        writer = SharedChannel.OpenWriter(name);
    }
    catch (ChannelNotFoundException)
    {
        Console.Error.WriteLine($"No receiver: there is no channel '{name}'. Start one first: dotnet run --project samples/SendReceive -- receive {name}");
        return 1;
    }
    catch (ChannelRoleTakenException error)
    {
        Console.Error.WriteLine(error.Message); // all the senders the channel admits are attached
        return 1;
    }

    using (writer)
    {
        Console.Error.WriteLine($"sending each line of standard input to '{name}' (Ctrl+D to end)");
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
                WriteClaim claim = writer.Claim(length, stop);
                Encoding.UTF8.GetBytes(text, claim.Payload);
                claim.Commit();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    return 0;
}

// Console.ReadLine cannot be interrupted, so it runs on the thread pool while this thread waits for it or for Ctrl+C.
static string? ReadLine(CancellationToken stop)
{
    Task<string?> line = Task.Run(Console.In.ReadLine);
    line.Wait(stop);
    return line.Result;
}
