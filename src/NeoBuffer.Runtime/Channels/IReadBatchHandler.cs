namespace NeoBuffer;

/// <summary>
/// What <see cref="SharedChannelReader.TryReadBatch{THandler}(ref THandler, int)"/> calls for each message of a batch.
/// Implement it on a struct (a <c>ref struct</c> too): the reader's loop is then specialised for it, and the call is
/// direct, with nothing allocated per message.
/// </summary>
public interface IReadBatchHandler
{
    /// <summary>
    /// Handles one message, read in place. Its payload is valid for this call only: copy out what you keep.
    /// </summary>
    /// <param name="message">The message, in shared memory.</param>
    /// <returns>True to go on with the batch; false to end it after this message (which counts as read).</returns>
    bool OnMessage(in BatchMessage message);
}
