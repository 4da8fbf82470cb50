using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace NeoBuffer.Analyzers.Tests;

/// <summary>
/// How a new user meets the library: the NeoBuffer package, packed from this checkout into a local folder feed,
/// restored into a console project made from nothing, which builds and runs with a valid message and fails the build
/// with NB0002 at the right line once a message holds a <c>string</c>.
/// </summary>
public sealed class PackageTests : IDisposable
{
    // A prerelease no registry has: the restore can only find the package in the local feed.
    private const string Version = "0.0.0-packagetest";

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("neobuffer-package-test-");

    [Fact]
    public async Task A_fresh_console_project_builds_with_the_package_and_fails_on_a_string_field()
    {
        string feed = Path.Combine(_root.FullName, "feed");
        string app = Path.Combine(_root.FullName, "app");
        Directory.CreateDirectory(app);

        string configuration = typeof(PackageTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        string runtimeProject = Path.Combine(RepositoryRoot.Path, "src", "NeoBuffer.Runtime", "NeoBuffer.Runtime.csproj");
        // --no-build: this test's own build made every packed project in this configuration already.
        (await RunAsync(RepositoryRoot.Path, "pack", runtimeProject, "-c", configuration, "--no-build", "-o", feed,
            $"-p:PackageVersion={Version}", $"-p:NuspecOutputPath={Path.Combine(_root.FullName, "nuspec")}{Path.DirectorySeparatorChar}"))
            .Succeeds();
        Assert.True(File.Exists(Path.Combine(feed, $"NeoBuffer.{Version}.nupkg")));
        Assert.True(File.Exists(Path.Combine(feed, $"NeoBuffer.{Version}.snupkg")), "no symbols package");
        AssertPackageContents(Path.Combine(feed, $"NeoBuffer.{Version}.nupkg"));

        WriteProject(app, feed);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program(extraField: ""));
        (await RunAsync(app, "build", "-c", "Release")).Succeeds();
        ProcessResult run = await RunAsync(app, "exec", Path.Combine(app, "bin", "Release", "net10.0", "App.dll"));
        run.Succeeds();
        Assert.Equal("Demo.Quote fixed=24 ACME 12.5 300", run.Output.Trim());

        string broken = Program(extraField: "    public string Venue;\n");
        File.WriteAllText(Path.Combine(app, "Program.cs"), broken);
        ProcessResult build = await RunAsync(app, "build", "-c", "Release");
        int line = Array.FindIndex(broken.Split('\n'), l => l.Contains("public string Venue;")) + 1;
        Assert.True(build.ExitCode != 0, "The build should fail:\n" + build.Output);
        Assert.Contains($"Program.cs({line},19): error NB0002: 'Quote.Venue: string' is a reference type", build.Output);
    }

    public void Dispose() => _root.Delete(recursive: true);

    // What a package user and nuget.org see: the metadata, the licence, the readme, and the Roslyn components beside the runtime.
    private static void AssertPackageContents(string package)
    {
        using System.IO.Compression.ZipArchive zip = System.IO.Compression.ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
        Assert.Contains("lib/net10.0/NeoBuffer.dll", entries);
        Assert.Contains("lib/net10.0/NeoBuffer.xml", entries);
        Assert.Contains("README.md", entries);
        Assert.Contains("LICENSE", entries);
        foreach (string component in new[] { "NeoBuffer.Generators.dll", "NeoBuffer.Analyzers.dll", "NeoBuffer.CodeFixes.dll" })
        {
            Assert.Contains("analyzers/dotnet/cs/" + component, entries);
        }

        using Stream nuspecStream = zip.Entries.Single(e => e.FullName == "NeoBuffer.nuspec").Open();
        System.Xml.Linq.XElement metadata = System.Xml.Linq.XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        System.Xml.Linq.XElement license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.Equal(("expression", "MIT"), ((string?)license.Attribute("type"), license.Value));
        Assert.Equal("README.md", Field("readme"));
        Assert.Contains("shared-memory", Field("tags"));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        Assert.Empty(metadata.Elements().Where(e => e.Name.LocalName == "dependencies").SelectMany(d => d.Descendants().Where(x => x.Name.LocalName == "dependency")));
    }

    // Uses the generated Layout, Builder and View; the Layout's first use checks the layout against the CLR's.
    private static string Program(string extraField) => $$"""
        using System;
        using NeoBuffer;
        using Demo;

        // The package is Linux only and says so: an application declares it too (or guards with OperatingSystem.IsLinux()).
        [assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

        byte[] record = new byte[Quote.Builder.LengthFor(symbolLength: 4)];
        var builder = new Quote.Builder(record, symbolLength: 4);
        builder.Price = 12.5;
        builder.Size = 300;
        "ACME"u8.CopyTo(builder.SymbolUtf8);
        var view = new Quote.View(record);
        Console.WriteLine($"{Quote.Layout.Name} fixed={Quote.Layout.FixedSize} {view.Symbol} {view.Price} {view.Size}");

        namespace Demo
        {
        [ChannelMessage]
        public partial struct Quote
        {
            public double Price;
            public int Size;
            public VarUtf8 Symbol;
        {{extraField}}}
        }

        """;

    // Restores only from the local feed (the targeting and apphost packs come with the SDK), into a package folder of
    // its own, and shields the project from any Directory.Build.* or central package management above the temp folder.
    private static void WriteProject(string app, string feed)
    {
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <RestorePackagesPath>{Path.Combine(Path.GetDirectoryName(feed)!, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="NeoBuffer" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="neobuffer-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        foreach (string shield in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props" })
        {
            File.WriteAllText(Path.Combine(app, shield), "<Project />\n");
        }
    }

    private static async Task<ProcessResult> RunAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        bool isBuild = arguments[0] is "build" or "pack";
        if (isBuild)
        {
            // No build servers: none outlives the test holding its output pipes open.
            start.ArgumentList.Add("--disable-build-servers");
            start.ArgumentList.Add("-nologo");
        }

        // The test host runs inside an MSBuild/VSTest environment whose variables would steer the child build.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new System.Threading.CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 3 minutes");
        }

        return new ProcessResult(process.ExitCode, await output + await error, string.Join(' ', arguments));
    }

    private sealed record ProcessResult(int ExitCode, string Output, string Command)
    {
        public void Succeeds() => Assert.True(ExitCode == 0, $"dotnet {Command} exited with {ExitCode}:\n{Output}");
    }
}
