// Monotonic wall-clock seconds, and the per-phase step timing the bench reports.
#if canImport(Glibc)
    import Glibc
#endif

public enum Clock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}

/// Seconds per phase of the training steps, summed on this rank since the last reset.
public struct PhaseTimes: Sendable {
    public var steps = 0
    /// Training rows this rank computed.
    public var rows = 0
    /// Gather, forward and loss.
    public var forward = 0.0
    public var backward = 0.0
    /// Waiting for the gradient sum after backward (the whole allreduce without overlap;
    /// with shared memory, the barrier: waiting for the slowest rank).
    public var sync = 0.0
    /// The update (with shared memory: summing this rank's shard, then the barrier).
    public var update = 0.0

    mutating func count(rows n: Int) {
        steps += 1
        rows += n
    }
}

/// Splits a step into phases: each `lap()` returns the seconds since the previous one.
struct PhaseClock {
    private var last = Clock.now()

    mutating func lap() -> Double {
        let now = Clock.now()
        defer { last = now }
        return now - last
    }
}
