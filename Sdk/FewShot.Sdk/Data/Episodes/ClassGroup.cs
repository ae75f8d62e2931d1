namespace FewShot.Sdk.Data;

/// <summary>A named group of a dataset's classes, e.g. the characters of one Omniglot alphabet.</summary>
/// <param name="Name">The group's name, for messages ("Angelic").</param>
/// <param name="Classes">Class indices of the dataset, distinct.</param>
public sealed record ClassGroup(string Name, IReadOnlyList<int> Classes);
