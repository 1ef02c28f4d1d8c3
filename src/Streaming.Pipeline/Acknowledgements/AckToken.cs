using Streaming.Pipeline.Contracts;

namespace Streaming.Pipeline.Acknowledgements;

/// <summary>
/// The opaque acknowledgement an input carries through the pipeline. The caller (the Kafka edge) makes
/// one per message with a callback; the pipeline settles it exactly once: as a contribution after every
/// window that holds the input has been published or dropped, or as a rejection with its reason.
/// </summary>
/// <remarks>
/// A frame can sit in several overlapping windows, so the token counts holders: the window builder holds
/// it while the frame may still enter a window, each window holds it until the sink acknowledges or the
/// window is dropped. The last release settles it.
/// </remarks>
public sealed class AckToken
{
    readonly Action<AckOutcome> _settle;
    readonly Lock _gate = new();
    int _holders = 1;
    bool _contributed;
    Rejection? _rejection;

    public AckToken(Action<AckOutcome> settle)
    {
        ArgumentNullException.ThrowIfNull(settle);
        _settle = settle;
    }

    public bool IsSettled { get { lock (_gate) return _holders == 0; } }

    /// <summary>Rejects an input that never entered a window (bad message, late, duplicate).</summary>
    public void Reject(Rejection rejection)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        Release(contributed: false, rejection);
    }

    internal void Hold()
    {
        lock (_gate)
        {
            if (_holders == 0) throw new InvalidOperationException("acknowledgement token already settled; it cannot join another window.");
            _holders++;
        }
    }

    /// <summary>
    /// Drops one holder; <paramref name="rejection"/> says why when this holder did not publish it.
    /// Returns the outcome when this release settled the token, else null.
    /// </summary>
    internal AckOutcome? Release(bool contributed, Rejection? rejection)
    {
        AckOutcome outcome;
        lock (_gate)
        {
            if (_holders == 0) throw new InvalidOperationException("acknowledgement token released more often than held.");
            _contributed |= contributed;
            _rejection ??= rejection;
            if (--_holders > 0) return null;
            if (!_contributed && _rejection is null)
                throw new InvalidOperationException("acknowledgement token settled without a contribution or a rejection reason.");
            outcome = _contributed ? AckOutcome.Contribution : new AckOutcome(_rejection);
        }
        _settle(outcome);
        return outcome;
    }
}
