namespace FewShot.Runtime.Interop;

/// <summary>Which of a session's three name lists a query reads: inputs, outputs, or overridable initializers.</summary>
internal enum SessionValueKind
{
    /// <summary>Graph inputs that have no initializer: a run must feed them.</summary>
    Input,

    /// <summary>Graph outputs.</summary>
    Output,

    /// <summary>Initializers that are also graph inputs: a run may feed them, or let the stored value stand.</summary>
    OverridableInitializer,
}
