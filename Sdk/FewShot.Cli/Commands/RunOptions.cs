using System.CommandLine;

namespace FewShot.Cli.Commands;

/// <summary>The options shared by train and eval, defined once.</summary>
internal static class RunOptions
{
    public static Option<string> Dataset() => new("--dataset") { Description = "omniglot, fashion-mnist, sinusoid, folder (class folders of images) or npz (your own arrays: an .npz with x [n, ...] and integer labels y [n])", DefaultValueFactory = _ => "sinusoid" };

    public static Option<string?> Data() => new("--data") { Description = "Data folder: Omniglot's (../shared/datasets/omniglot), Fashion-MNIST's (default /usr/share/datasets/fashion-mnist) the root of class folders, or the .npz file" };

    public static Option<string> Split() => new("--split") { Description = "Omniglot split: lake (background/evaluation) or paper (1100/100/423)", DefaultValueFactory = _ => "lake" };

    public static Option<int> Ways() => new Option<int>("--ways") { Description = "Classes per task", DefaultValueFactory = _ => 5 }.AtLeast(1);

    public static Option<int> Shots() => new Option<int>("--shots") { Description = "Support examples per class (points per task for sinusoid)", DefaultValueFactory = _ => 1 }.AtLeast(1);

    public static Option<int?> InnerSteps() => new Option<int?>("--inner-steps") { Description = "Inner-loop gradient steps" }.AtLeast(0);

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of a table" };
}
