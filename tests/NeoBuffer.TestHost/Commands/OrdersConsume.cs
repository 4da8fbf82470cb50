using System;
using NeoBuffer.TestHost.Messages;

namespace NeoBuffer.TestHost.Commands;

/// <summary>
/// <c>orders-consume DIR NAME VERSION COUNT V2FROM</c>: opens the channel as a reader (on a broadcast channel, a
/// tethered subscriber) of <see cref="OrderV1"/> or <see cref="OrderV2"/>, reads until the channel completes, checks
/// every field of every order in sequence (orders from V2FROM on were written by a version 2 writer), and fails unless
/// it read exactly COUNT.
/// </summary>
internal sealed class OrdersConsume : IHostCommand
{
    public string Name => "orders-consume";

    public int Run(string[] args)
    {
        var options = new SharedChannelOptions { Directory = args[0] };
        long count = long.Parse(args[3]);
        long version2From = long.Parse(args[4]);
        long expected = 0;
        if (args[2] == "1")
        {
            using SharedChannelReader<OrderV1> reader = SharedChannel.OpenReader<OrderV1>(args[1], options);
            Console.WriteLine("ready");
            while (reader.WaitToRead(TimeSpan.FromMinutes(2)))
            {
                while (reader.TryLease(out MessageLease<OrderV1> lease))
                {
                    using (lease)
                    {
                        Next(ref expected, OrderContent.Check(new OrderV1.View(lease)));
                    }
                }
            }
        }
        else
        {
            using SharedChannelReader<OrderV2> reader = SharedChannel.OpenReader<OrderV2>(args[1], options);
            Console.WriteLine("ready");
            while (reader.WaitToRead(TimeSpan.FromMinutes(2)))
            {
                while (reader.TryLease(out MessageLease<OrderV2> lease))
                {
                    using (lease)
                    {
                        Next(ref expected, OrderContent.Check(new OrderV2.View(lease), sequence => sequence >= version2From));
                    }
                }
            }
        }

        if (expected != count)
        {
            throw new InvalidOperationException($"read {expected} orders, expected {count}");
        }

        Console.WriteLine($"read {expected}");
        return 0;
    }

    private static void Next(ref long expected, long sequence)
    {
        if (sequence != expected)
        {
            throw new InvalidOperationException($"order {sequence} arrived where {expected} was expected");
        }

        expected++;
    }
}
