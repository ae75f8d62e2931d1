namespace FewShot.Samples.WebService.Users;

/// <summary>A user has no adapted state yet: nothing was adapted for them, in memory or on disk.</summary>
public sealed class UserStateNotFoundException : Exception
{
    /// <summary>Creates the exception for user <paramref name="userId"/>.</summary>
    public UserStateNotFoundException(string userId)
        : base($"User '{userId}' has no adapted model; POST examples to /users/{userId}/adapt first.")
    {
        UserId = userId;
    }

    /// <summary>The user without a state.</summary>
    public string UserId { get; }
}
