using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;

namespace NeoBuffer;

/// <summary>The command line that starts a process function's child: the executable that declares the function.</summary>
internal static class ChildCommand
{
    /// <summary>
    /// The running executable itself when <paramref name="assembly"/> is its entry assembly and it runs from its own
    /// apphost; otherwise the <c>dotnet</c> host of this runtime with the assembly (an executable's, referenced from
    /// here: tests, tools). Standard streams and the environment are inherited.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="assembly"/> has no entry point.</exception>
    /// <exception cref="PlatformNotSupportedException">The application is published as a single file.</exception>
    public static ProcessStartInfo For(Assembly assembly)
    {
        if (assembly.EntryPoint is null)
        {
            throw new InvalidOperationException(
                $"'{assembly.GetName().Name}' is a library: a process function runs in a child of the executable that declares it, so declare it in an executable's project.");
        }

        string location = LocationOf(assembly);
        string? self = Environment.ProcessPath;
        var start = new ProcessStartInfo { UseShellExecute = false };
        if (assembly == Assembly.GetEntryAssembly() && self is not null && Path.GetFileNameWithoutExtension(self) != "dotnet")
        {
            start.FileName = self;
            return start;
        }

        start.FileName = DotnetHost();
        start.ArgumentList.Add(location);
        return start;
    }

    /// <summary>Where <paramref name="assembly"/> was loaded from.</summary>
    /// <exception cref="PlatformNotSupportedException">It has no file (single-file publishing).</exception>
    public static string LocationOf(Assembly assembly)
    {
#pragma warning disable IL3000 // Checked: single-file publishing is refused with a clear message below.
        string location = assembly.Location;
#pragma warning restore IL3000
        return location.Length > 0
            ? location
            : throw new PlatformNotSupportedException($"'{assembly.GetName().Name}' has no file of its own (single-file publishing): process functions need the application's assemblies as files.");
    }

    // The host of the running runtime: shared/Microsoft.NETCore.App/VERSION/System.Private.CoreLib.dll is three
    // levels under the dotnet root, where the host lives.
    private static string DotnetHost()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        string coreLib = LocationOf(typeof(object).Assembly);
        string? root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(coreLib))));
        string host = root is null ? "" : Path.Combine(root, "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }
}
