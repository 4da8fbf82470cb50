using System;

namespace NeoBuffer;

/// <summary>
/// Marks a static method of a partial type as a process function: the source generator gives its type a nested
/// <c>NameProcess</c> class whose <c>Run</c>, <c>RunAsync</c> and <c>Spawn</c> take the same arguments and run the
/// method in a child process of the same executable, with the result (or the child's exception) coming back typed.
/// </summary>
/// <remarks>
/// What may cross (each checked by the analyzers at compile time): unmanaged values, <c>[ChannelMessage]</c> structs
/// (as <see cref="OwnedMessage{T}"/> when they have variable-length fields), strings, channel endpoints (the caller
/// passes its end, the function receives the other end of the same channel) and <see cref="Microsoft.Win32.SafeHandles.SafeFileHandle"/>.
/// See docs/processes.md.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, Inherited = false, AllowMultiple = false)]
public sealed class ProcessFunctionAttribute : Attribute
{
}
