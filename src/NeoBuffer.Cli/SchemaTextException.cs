using System;

namespace NeoBuffer.Cli;

/// <summary>A channel's stored schema text does not parse, so its messages cannot be decoded.</summary>
internal sealed class SchemaTextException(string message) : Exception(message);
