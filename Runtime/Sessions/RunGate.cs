namespace FewShot.Runtime.Sessions;

/// <summary>
/// Counts runs in progress so that native sessions are released only after the last one returns: ONNX Runtime's managed
/// sessions must not be disposed under a running call, while a model may be disposed from any thread at any time.
/// </summary>
internal sealed class RunGate(Action release)
{
    // Low bit: closed. Remaining bits: twice the number of runs in progress.
    private int _state;

    /// <summary>Whether <see cref="Close"/> has been called.</summary>
    public bool IsClosed => (Volatile.Read(ref _state) & 1) != 0;

    /// <summary>Enters a run; false once the gate is closed.</summary>
    public bool TryEnter()
    {
        int state = Volatile.Read(ref _state);
        while ((state & 1) == 0)
        {
            int seen = Interlocked.CompareExchange(ref _state, state + 2, state);
            if (seen == state)
            {
                return true;
            }

            state = seen;
        }

        return false;
    }

    /// <summary>Leaves a run; the last run out of a closed gate releases the sessions.</summary>
    public void Exit()
    {
        if (Interlocked.Add(ref _state, -2) == 1)
        {
            release();
        }
    }

    /// <summary>Closes the gate; releases at once when no run is in progress. Idempotent.</summary>
    /// <returns>Whether this call closed it.</returns>
    public bool Close()
    {
        int state = Volatile.Read(ref _state);
        while ((state & 1) == 0)
        {
            int seen = Interlocked.CompareExchange(ref _state, state | 1, state);
            if (seen == state)
            {
                if (state == 0)
                {
                    release();
                }

                return true;
            }

            state = seen;
        }

        return false;
    }
}
