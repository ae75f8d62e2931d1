using FewShot.Runtime.Interop;

namespace FewShot.Runtime;

/// <summary>A loaded ONNX model, ready to run (an <c>OrtSession</c>).</summary>
/// <remarks>
/// <para>
/// Thread-safe: ONNX Runtime allows concurrent runs on one session, and every member here may be called from several
/// threads at once. Disposing while runs are in progress is safe too: the native session is released when the last
/// of them returns, and later calls throw <see cref="ObjectDisposedException"/>.
/// </para>
/// <para>
/// For repeated runs, <see cref="CreateRunner"/> prepares the input and output names once; <see cref="Run"/> is the
/// convenient form for code where a little marshalling per call does not matter.
/// </para>
/// </remarks>
public sealed class InferenceSession : IDisposable
{
    private readonly SessionHandle _handle;
    private readonly Dictionary<string, TensorMetadata> _inputsByName;
    private readonly Dictionary<string, TensorMetadata> _feedableByName;
    private readonly Dictionary<string, TensorMetadata> _outputsByName;

    /// <summary>Loads a model from its serialized ONNX bytes.</summary>
    /// <param name="model">The ModelProto bytes; ORT copies what it needs, so the buffer may be reused afterwards.</param>
    /// <param name="options">Threading, optimization and device; null for ORT's defaults on the CPU.</param>
    /// <exception cref="OnnxRuntimeException">ORT rejects the model (e.g. <see cref="OrtErrorCode.InvalidProtobuf"/>) or the options.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InferenceSession(ReadOnlySpan<byte> model, InferenceSessionOptions? options = null)
        : this(Load(model, options))
    {
    }

    /// <summary>Loads a model from an ONNX file; external data files are resolved relative to it.</summary>
    /// <param name="modelPath">Path of the .onnx file.</param>
    /// <param name="options">Threading, optimization and device; null for ORT's defaults on the CPU.</param>
    /// <exception cref="OnnxRuntimeException">ORT cannot read the file (<see cref="OrtErrorCode.NoSuchFile"/>) or rejects the model or options.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public InferenceSession(string modelPath, InferenceSessionOptions? options = null)
        : this(Load(modelPath, options))
    {
    }

    /// <summary>Loads a model with native options the caller created and still owns (one set of options serves several sessions).</summary>
    internal InferenceSession(ReadOnlySpan<byte> model, SessionOptionsHandle options)
        : this(new SessionHandle(OrtNative.Env, model, options))
    {
    }

    private InferenceSession(SessionHandle handle)
    {
        _handle = handle;
        try
        {
            (Inputs, _inputsByName) = ReadMetadata(SessionValueKind.Input);
            (Outputs, _outputsByName) = ReadMetadata(SessionValueKind.Output);
            (OverridableInitializers, Dictionary<string, TensorMetadata> overridable) = ReadMetadata(SessionValueKind.OverridableInitializer);
            _feedableByName = new Dictionary<string, TensorMetadata>(_inputsByName, StringComparer.Ordinal);
            foreach ((string name, TensorMetadata metadata) in overridable)
            {
                _feedableByName[name] = metadata;
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The model's inputs, in graph order.</summary>
    public IReadOnlyList<TensorMetadata> Inputs { get; }

    /// <summary>The model's outputs, in graph order.</summary>
    public IReadOnlyList<TensorMetadata> Outputs { get; }

    /// <summary>
    /// Initializers that are also graph inputs (IR ≥ 4), in graph order: a run may feed them by name like
    /// <see cref="Inputs"/>, and uses the stored value where it does not. ORT lists them here, not among <see cref="Inputs"/>.
    /// </summary>
    public IReadOnlyList<TensorMetadata> OverridableInitializers { get; }

    internal SessionHandle Handle => _handle;

    internal bool IsDisposed => _handle.IsClosed;

    /// <summary>Prepares runs that feed <paramref name="inputNames"/> and fetch <paramref name="outputNames"/>, in those orders.</summary>
    /// <param name="inputNames">Names of the inputs that each run supplies.</param>
    /// <param name="outputNames">Names of the outputs that each run fetches.</param>
    /// <returns>A runner, owned by the caller, that uses this session; dispose it to free its native name table.</returns>
    /// <exception cref="ArgumentException">
    /// A name is not an input or overridable initializer (or an output) of the model, or names one that is not a tensor.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The session has been disposed.</exception>
    public SessionRunner CreateRunner(IReadOnlyList<string> inputNames, IReadOnlyList<string> outputNames)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        ArgumentNullException.ThrowIfNull(inputNames);
        ArgumentNullException.ThrowIfNull(outputNames);
        TensorMetadata[] inputs = Resolve(inputNames, _feedableByName, "input", nameof(inputNames));
        TensorMetadata[] outputs = Resolve(outputNames, _outputsByName, "output", nameof(outputNames));
        return new SessionRunner(this, inputs, outputs);
    }

    /// <summary>Runs the model once with named inputs; the convenient form for code that is not performance-critical.</summary>
    /// <param name="inputs">Input tensors by input name; not disposed by this call.</param>
    /// <param name="outputNames">Outputs to fetch; null for all of them, in graph order.</param>
    /// <param name="cancellationToken">Stops the run when cancelled; ORT checks between nodes.</param>
    /// <returns>Fresh output tensors by name, owned by the caller; disposing the result disposes them all.</returns>
    /// <exception cref="ArgumentException">An input name or an input's element type does not match the model.</exception>
    /// <exception cref="OnnxRuntimeException">ORT fails the run (e.g. a missing input or wrong shape).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The session or an input tensor has been disposed.</exception>
    public SessionOutputs Run(
        IReadOnlyDictionary<string, OrtTensor> inputs,
        IReadOnlyList<string>? outputNames = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        string[] inputNames = [.. inputs.Keys];
        OrtTensor[] inputTensors = [.. inputNames.Select(name => inputs[name])];
        IReadOnlyList<string> names = outputNames ?? [.. Outputs.Select(o => o.Name)];
        using SessionRunner runner = CreateRunner(inputNames, names);
        var results = new OrtTensor?[names.Count];
        runner.Run(inputTensors, results, cancellationToken);
        return new SessionOutputs(names, results!);
    }

    /// <summary>Releases the native session once no run is using it. Idempotent; never throws.</summary>
    public void Dispose() => _handle.Dispose();

    private static SessionHandle Load(ReadOnlySpan<byte> model, InferenceSessionOptions? options)
    {
        // The environment first: ORT logs through it while it sets up execution providers.
        EnvHandle env = OrtNative.Env;
        using SessionOptionsHandle nativeOptions = NativeSessionOptions.Create(options ?? new InferenceSessionOptions());
        return new SessionHandle(env, model, nativeOptions);
    }

    private static SessionHandle Load(string modelPath, InferenceSessionOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        EnvHandle env = OrtNative.Env;
        using SessionOptionsHandle nativeOptions = NativeSessionOptions.Create(options ?? new InferenceSessionOptions());
        return new SessionHandle(env, Path.GetFullPath(modelPath), nativeOptions);
    }

    private (TensorMetadata[] List, Dictionary<string, TensorMetadata> ByName) ReadMetadata(SessionValueKind kind)
    {
        int count = _handle.GetCount(kind);
        var list = new TensorMetadata[count];
        var byName = new Dictionary<string, TensorMetadata>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            using var name = new AllocatorStringHandle(_handle, i, kind);
            using var type = new TypeInfoHandle(_handle, i, kind);
            list[i] = type.ToMetadata(name.ToString());
            byName[list[i].Name] = list[i];
        }

        return (list, byName);
    }

    private static TensorMetadata[] Resolve(
        IReadOnlyList<string> names, Dictionary<string, TensorMetadata> known, string kind, string parameter)
    {
        var resolved = new TensorMetadata[names.Count];
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] is null || !known.TryGetValue(names[i], out TensorMetadata? metadata))
            {
                throw new ArgumentException(
                    $"The model has no {kind} named '{names[i]}'; its {kind}s are: {string.Join(", ", known.Keys.Select(k => $"'{k}'"))}.",
                    parameter);
            }

            if (!metadata.IsTensor)
            {
                throw new ArgumentException($"The model's {kind} '{names[i]}' is not a tensor; OrtTensor holds tensors only.", parameter);
            }

            resolved[i] = metadata;
        }

        return resolved;
    }
}
