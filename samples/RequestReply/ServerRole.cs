using System;
using System.Threading;
using System.Threading.Tasks;
using NeoBuffer;

/// <summary>The server: answers every client's questions until stopped. No thread per client: one async loop reads them all.</summary>
internal static class ServerRole
{
    public static async Task<int> RunAsync(string name, Action? onReady, CancellationToken stop)
    {
        using SharedServer<Question, Answer> server = SharedChannel.CreateServer<Question, Answer>(name, new SharedChannelOptions { SpinCount = 2000 });
        if (!Console.IsOutputRedirected)
        {
            Console.WriteLine($"serving '{name}' (pid {Environment.ProcessId}); Ctrl+C stops");
        }

        onReady?.Invoke();
        try
        {
            await server.ServeAsync(request =>
            {
                Question question = request.Message;
                Answer answer = new() { Id = question.Id, Sum = question.A + question.B, ServerPid = Environment.ProcessId };
                return request.TryReply(answer) ? ValueTask.CompletedTask : request.ReplyAsync(answer);
            }, stop);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped as designed.
        }

        return SampleExit.Done;
    }
}
