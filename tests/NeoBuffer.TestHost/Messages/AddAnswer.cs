using System;
using System.Threading;
using System.Threading.Tasks;

namespace NeoBuffer.TestHost.Messages;

/// <summary>How the request/response tests' servers answer an <see cref="AddRequest"/>, in a child process or in the test process.</summary>
public static class AddAnswer
{
    /// <summary>Answers after the request's DelayMs (a negative one: never).</summary>
    public static async ValueTask Answer(IncomingRequest<AddRequest, AddResponse> request)
    {
        AddRequest add = request.Message;
        if (add.DelayMs < 0)
        {
            await Task.Delay(Timeout.Infinite);
        }

        if (add.DelayMs > 0)
        {
            await Task.Delay(add.DelayMs);
        }

        await request.ReplyAsync(new AddResponse { Sum = add.A + add.B, ServerPid = Environment.ProcessId });
    }
}
