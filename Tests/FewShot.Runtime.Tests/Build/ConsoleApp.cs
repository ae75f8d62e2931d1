namespace FewShot.Runtime.Tests.Build;

/// <summary>The console apps that the build tests write outside the repository, as a user of FewShot.Runtime would.</summary>
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
}
