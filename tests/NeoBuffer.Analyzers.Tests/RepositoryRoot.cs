using System;
using System.IO;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>The checkout the tests run from: the folder above the test binaries that holds NeoBuffer.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "NeoBuffer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("NeoBuffer.sln not found above " + AppContext.BaseDirectory);
    }
}
