using System.Buffers;
using FewShot.Runtime.Interop;

namespace FewShot.Runtime;

/// <summary>
/// Runs one <see cref="InferenceSession"/> with a fixed list of inputs and outputs, whose names were marshalled once:
/// the allocation-free form of a run for hot loops.
/// </summary>
/// <remarks>
/// Thread-safe: several threads may call <see cref="Run(ReadOnlySpan{OrtTensor}, Span{OrtTensor}, CancellationToken)"/>
/// on one runner at once (with their own tensors). A run allocates nothing beyond the output tensors it creates (and,
/// with a cancellable token, the native run options that carry the cancellation).
/// The runner does not own the session; dispose the runner before or after the session, in any order.
/// </remarks>
public sealed unsafe class SessionRunner : IDisposable
{
    // Enough for the parameter lists of the models FewShot exports without touching the heap; beyond, arrays are rented.
    private const int StackPointerLimit = 128;

    private readonly InferenceSession _session;
    private readonly TensorMetadata[] _inputs;
    private readonly TensorMetadata[] _outputs;
    private readonly Utf8StringArray _inputNames;
    private readonly Utf8StringArray _outputNames;

    internal SessionRunner(InferenceSession session, TensorMetadata[] inputs, TensorMetadata[] outputs)
    {
        _session = session;
        _inputs = inputs;
        _outputs = outputs;
        _inputNames = new Utf8StringArray([.. inputs.Select(i => i.Name)]);
        _outputNames = new Utf8StringArray([.. outputs.Select(o => o.Name)]);
        InputNames = Array.AsReadOnly(inputs.Select(i => i.Name).ToArray());
        OutputNames = Array.AsReadOnly(outputs.Select(o => o.Name).ToArray());
    }

    /// <summary>The inputs that each run supplies, in order.</summary>
    public IReadOnlyList<string> InputNames { get; }

    /// <summary>The outputs that each run fetches, in order.</summary>
    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Runs the model once.</summary>
    /// <param name="inputs">One tensor per <see cref="InputNames"/> entry, in order; not disposed by this call.</param>
    /// <param name="outputs">
    /// One slot per <see cref="OutputNames"/> entry. A null slot receives a fresh tensor that the caller owns; a tensor
    /// already in a slot is written in place (its type and shape must be what the model produces) and stays the caller's.
    /// </param>
    /// <param name="cancellationToken">Stops the run when cancelled; ORT checks between nodes. The default costs nothing.</param>
    /// <exception cref="ArgumentException">Counts do not match, an input is null, or an input's element type is not the model's.</exception>
    /// <exception cref="OnnxRuntimeException">ORT fails the run (e.g. wrong shape); no output slot is changed then.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The runner, its session or a tensor has been disposed.</exception>
    public void Run(ReadOnlySpan<OrtTensor> inputs, Span<OrtTensor?> outputs, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_inputNames.IsClosed, this);
        ObjectDisposedException.ThrowIf(_session.IsDisposed, _session);
        ThrowIfMismatched(inputs, outputs.Length);

        int inputCount = inputs.Length;
        int outputCount = outputs.Length;
        nint[]? rented = null;
        Span<nint> pointers = inputCount + outputCount <= StackPointerLimit
            ? stackalloc nint[StackPointerLimit]
            : (rented = ArrayPool<nint>.Shared.Rent(inputCount + outputCount));
        pointers = pointers[..(inputCount + outputCount)];
        pointers.Clear();

        // Every handle that native code touches is referenced for the duration of the call, so a concurrent Dispose
        // of a session, runner or tensor waits instead of freeing memory under ORT.
        int referencedInputs = 0;
        int referencedOutputs = 0;
        bool sessionReferenced = false;
        bool inputNamesReferenced = false;
        bool outputNamesReferenced = false;
        RunOptionsHandle? runOptions = null;
        CancellationTokenRegistration registration = default;
        nint status;
        try
        {
            _session.Handle.DangerousAddRef(ref sessionReferenced);
            _inputNames.DangerousAddRef(ref inputNamesReferenced);
            _outputNames.DangerousAddRef(ref outputNamesReferenced);
            for (; referencedInputs < inputCount; referencedInputs++)
            {
                pointers[referencedInputs] = Reference(inputs[referencedInputs]);
            }

            for (; referencedOutputs < outputCount; referencedOutputs++)
            {
                OrtTensor? preallocated = outputs[referencedOutputs];
                pointers[inputCount + referencedOutputs] = preallocated is null ? 0 : Reference(preallocated);
            }

            if (cancellationToken.CanBeCanceled)
            {
                // An already-cancelled token sets the flag at once; ORT then stops before the first node.
                runOptions = new RunOptionsHandle();
                registration = cancellationToken.UnsafeRegister(static state => ((RunOptionsHandle)state!).Terminate(), runOptions);
            }

            fixed (nint* values = pointers)
            {
                status = OrtNative.Api.Run(
                    _session.Handle.DangerousGetHandle(), runOptions?.DangerousGetHandle() ?? 0,
                    _inputNames.Pointers, values, (nuint)inputCount,
                    _outputNames.Pointers, (nuint)outputCount, values + inputCount);
            }
        }
        finally
        {
            registration.Dispose();
            runOptions?.Dispose();
            for (int i = 0; i < referencedInputs; i++)
            {
                inputs[i].Handle.DangerousRelease();
            }

            for (int i = 0; i < referencedOutputs; i++)
            {
                outputs[i]?.Handle.DangerousRelease();
            }

            if (outputNamesReferenced)
            {
                _outputNames.DangerousRelease();
            }

            if (inputNamesReferenced)
            {
                _inputNames.DangerousRelease();
            }

            if (sessionReferenced)
            {
                _session.Handle.DangerousRelease();
            }
        }

        try
        {
            if (status != 0)
            {
                OnnxRuntimeException error = OrtNative.ToException(status);
                throw cancellationToken.IsCancellationRequested
                    ? new OperationCanceledException("The run was cancelled.", error, cancellationToken)
                    : error;
            }

            AdoptOutputs(pointers[inputCount..], outputs);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<nint>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Runs the model once and returns fresh output tensors, in <see cref="OutputNames"/> order, owned by the caller.</summary>
    /// <param name="inputs">One tensor per <see cref="InputNames"/> entry, in order; not disposed by this call.</param>
    /// <exception cref="ArgumentException">Counts do not match, an input is null, or an input's element type is not the model's.</exception>
    /// <exception cref="OnnxRuntimeException">ORT fails the run.</exception>
    /// <exception cref="ObjectDisposedException">The runner, its session or a tensor has been disposed.</exception>
    public OrtTensor[] Run(params ReadOnlySpan<OrtTensor> inputs)
    {
        var outputs = new OrtTensor?[_outputs.Length];
        Run(inputs, outputs);
        return outputs!;
    }

    /// <summary>Frees the native name tables once no run is using them. Idempotent; never throws; the session stays open.</summary>
    public void Dispose()
    {
        _inputNames.Dispose();
        _outputNames.Dispose();
    }

    private static nint Reference(OrtTensor tensor)
    {
        ObjectDisposedException.ThrowIf(tensor.IsDisposed, tensor);
        bool referenced = false;
        tensor.Handle.DangerousAddRef(ref referenced);
        return tensor.Handle.DangerousGetHandle();
    }

    private static void AdoptOutputs(ReadOnlySpan<nint> produced, Span<OrtTensor?> outputs)
    {
        // Wrap every new value before reporting a failure, so that none is left without an owner.
        Exception? failure = null;
        for (int i = 0; i < outputs.Length; i++)
        {
            if (outputs[i] is not null)
            {
                continue;
            }

            try
            {
                outputs[i] = OrtTensor.FromRunOutput(ValueHandle.Adopt(produced[i]));
            }
            catch (Exception e)
            {
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            throw failure;
        }
    }

    private void ThrowIfMismatched(ReadOnlySpan<OrtTensor> inputs, int outputCount)
    {
        if (inputs.Length != _inputs.Length)
        {
            throw new ArgumentException($"The runner feeds {_inputs.Length} inputs ({string.Join(", ", InputNames)}), but {inputs.Length} tensors were given.", nameof(inputs));
        }

        if (outputCount != _outputs.Length)
        {
            throw new ArgumentException($"The runner fetches {_outputs.Length} outputs ({string.Join(", ", OutputNames)}), but the output span has {outputCount} slots.", "outputs");
        }

        for (int i = 0; i < inputs.Length; i++)
        {
            OrtTensor? tensor = inputs[i];
            if (tensor is null)
            {
                throw new ArgumentException($"The tensor for input '{_inputs[i].Name}' is null.", nameof(inputs));
            }

            if (tensor.ElementType != _inputs[i].ElementType)
            {
                throw new ArgumentException(
                    $"Input '{_inputs[i].Name}' takes {_inputs[i].ElementType} elements, but the tensor given holds {tensor.ElementType} elements.",
                    nameof(inputs));
            }
        }
    }
}
