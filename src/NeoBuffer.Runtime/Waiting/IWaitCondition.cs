namespace NeoBuffer.Waiting;

/// <summary>What a waiter waits for, as a struct so the wait loops are specialised per condition and allocate nothing.</summary>
internal interface IWaitCondition
{
    /// <summary>Whether the wait is over (data arrived, space freed, or the channel completed).</summary>
    bool IsSatisfied();
}
