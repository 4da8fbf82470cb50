#pragma warning disable CA1050 // The runtime finds a startup hook by this exact name, in the global namespace.

/// <summary>
/// The .NET startup hook a process function's child runs before <c>Main</c> (the parent names this assembly in the
/// child's DOTNET_STARTUP_HOOKS); in any other process it is never called.
/// </summary>
internal static class StartupHook
{
    /// <summary>Runs the process function the child was started for, and exits.</summary>
    public static void Initialize() => NeoBuffer.ProcessFunctionChild.RunIfChild();
}
