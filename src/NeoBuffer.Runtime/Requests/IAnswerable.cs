namespace NeoBuffer.Requests;

/// <summary>A request a <see cref="NeoBuffer.ReplyClaim"/> answers when it commits.</summary>
internal interface IAnswerable
{
    void MarkAnswered();
}
