using System;

namespace NeoBuffer.Bench.Harness;

/// <summary>A command line the verb cannot run: the program prints the message and the usage, and exits with 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
