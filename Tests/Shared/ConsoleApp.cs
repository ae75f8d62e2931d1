namespace FewShot.Tests.Shared;

/// <summary>The console apps that the build tests write outside the repository, as a user of FewShot's packages or projects would.</summary>
internal static class ConsoleApp
{
    /// <summary>Writes <c>app.csproj</c>, a net10.0 console app with <paramref name="references"/> (items) as its one item group, into <paramref name="folder"/>.</summary>
    public static void WriteProject(string folder, params string[] references) =>
        File.WriteAllText(Path.Combine(folder, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                {string.Join("\n    ", references)}
              </ItemGroup>
            </Project>
            """);

    /// <summary>
    /// Writes a <c>nuget.config</c> into <paramref name="folder"/> that adds <paramref name="feed"/> (a folder of packed
    /// packages, relative to <paramref name="folder"/> or absolute) beside the machine's own package sources.
    /// </summary>
    public static void WriteLocalFeed(string folder, string feed) =>
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="fewshot" value="{feed}" />
              </packageSources>
            </configuration>
            """);
}
