using System;
using System.IO;

namespace NeoBuffer.Segments;

/// <summary>Channel names and where their segments live.</summary>
internal static class ChannelName
{
    public const int MaxLength = 200;
    public const string DirectoryVariable = "NEOBUFFER_DIR";
    public const string DefaultDirectory = "/dev/shm";
    private const string FilePrefix = "neobuffer.";

    /// <summary>
    /// Throws unless <paramref name="name"/> is 1 to 200 of [A-Za-z0-9._-], not starting with '.': such a name can
    /// never leave its directory or collide with '.' and '..'.
    /// </summary>
    public static void Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length is 0 or > MaxLength)
        {
            throw new ArgumentException($"A channel name must be 1 to {MaxLength} characters long; '{name}' has {name.Length}.", nameof(name));
        }

        if (name[0] == '.')
        {
            throw new ArgumentException($"A channel name may not start with '.': '{name}'.", nameof(name));
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ArgumentException(
                    $"A channel name may hold only ASCII letters, digits, '.', '_' and '-'; '{name}' holds '{c}'. " +
                    "Put the directory in SharedChannelOptions.Directory or NEOBUFFER_DIR, not in the name.", nameof(name));
            }
        }
    }

    /// <summary>The directory segments live in: the option, else NEOBUFFER_DIR, else /dev/shm.</summary>
    public static string ResolveDirectory(string? configured)
    {
        string? directory = configured;
        if (string.IsNullOrEmpty(directory))
        {
            directory = Environment.GetEnvironmentVariable(DirectoryVariable);
        }

        return string.IsNullOrEmpty(directory) ? DefaultDirectory : directory;
    }

    /// <summary>The segment file's path for a validated name.</summary>
    public static string PathOf(string directory, string name) => Path.Combine(directory, FilePrefix + name);

    /// <summary>
    /// A private name to build a new segment under before it is linked into place: hidden (it starts with '.'), and
    /// unique to this process, whose pid it carries so a sweep can tell a dead creator's leftover.
    /// </summary>
    public static string BuildingPathOf(string directory, string name) =>
        Path.Combine(directory, $".{FilePrefix}{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.building");

    /// <summary>The pid of the creator of a file named by <see cref="BuildingPathOf"/>, or null for any other file.</summary>
    public static int? BuilderPidOf(string fileName)
    {
        if (!fileName.StartsWith("." + FilePrefix, StringComparison.Ordinal) || !fileName.EndsWith(".building", StringComparison.Ordinal))
        {
            return null;
        }

        string[] parts = fileName.Split('.');
        return parts.Length >= 4 && int.TryParse(parts[^3], out int pid) ? pid : null;
    }

    /// <summary>The channel name of a segment file name, or null when the file is not a NeoBuffer segment.</summary>
    public static string? FromFileName(string fileName) =>
        fileName.StartsWith(FilePrefix, StringComparison.Ordinal) && fileName.Length > FilePrefix.Length ? fileName.Substring(FilePrefix.Length) : null;
}
