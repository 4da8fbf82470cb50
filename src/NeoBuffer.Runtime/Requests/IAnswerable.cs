namespace NeoBuffer.Requests;

/// <summary>A request a <see cref="NeoBuffer.ReplyClaim"/> is answering: it ends the answer when it commits or is disposed.</summary>
internal interface IAnswerable
{
    /// <summary>Ends the answer begun for the request of <paramref name="generation"/>: written, or given up.</summary>
    void EndAnswer(long generation, bool answered);
}
