using System;

namespace VideoPipeline;

/// <summary>
/// The reason the pipeline gives its subscribers when it completes the channel after the producer failed, so that
/// each one's ChannelClosedException says where to look. A channel keeps only the first 62 characters of a reason, so
/// the reason itself (in the pipeline's one line on standard error) is not repeated here.
/// </summary>
internal sealed class ProducerFailed() : Exception("the pipeline's error line says why.");
