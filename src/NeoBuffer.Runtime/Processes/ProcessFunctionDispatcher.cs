using System.ComponentModel;
using System.Threading.Tasks;

namespace NeoBuffer;

/// <summary>
/// The generated table of an executable's process functions: runs the function named <paramref name="functionName"/>
/// with <paramref name="arguments"/>, writing its result to <paramref name="result"/>; null if no such function.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate Task? ProcessFunctionDispatcher(string functionName, ProcessPayloadReader arguments, ProcessPayloadWriter result);
