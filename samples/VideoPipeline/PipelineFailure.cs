using System;

namespace VideoPipeline;

/// <summary>
/// The reason the pipeline gives its subscribers when it completes the channel after a failure: each one's
/// ChannelClosedException then says what went wrong in the producer.
/// </summary>
internal sealed class PipelineFailure(string message) : Exception(message);
