// Swift faces of the C signal flags and watchdog (CSignals), and the test-only
// fault injection that tests use to kill, hang or poison a chosen rank and step.
import CSignals
import Collectives
import Foundation

/// SIGUSR1 / SIGTERM: a checkpoint at the next step boundary, then exit status 3.
public enum Preemption {
    public static func install() { csig_install_preemption_handlers() }
    public static var requested: Bool { csig_preemption_signal() != 0 }
    public static var signalName: String { csig_preemption_signal() == SIGTERM ? "SIGTERM" : "SIGUSR1" }
}

/// `--step-timeout`: ends the job when a step makes no progress.
public enum Watchdog {
    public static func start(seconds: Double, rank: Int) { csig_watchdog_start(seconds, Int32(rank)) }
    static func beat(epoch: Int, step: Int) { csig_watchdog_beat(epoch, step) }
    static func pause() { csig_watchdog_pause() }
}

/// Test-only fault injection, from `DIR_DIST_TEST_FAULT=KIND:rank=R:epoch=E:step=S`
/// (epoch 1-based as printed, step 0-based within the epoch). KIND is `kill`
/// (SIGKILL itself), `hang` (sleep forever before the step), `nan` (a NaN loss),
/// `signal` (SIGUSR1 to itself), `slow` (sleep `ms=N` milliseconds before every step,
/// so that a scheduler's time limit falls inside a short run), `mpi-error` (an MPI
/// call that fails: a broadcast from a rank that does not exist), `diverge` (the
/// rank's parameters, as the end-of-run replica check sees them, moved by one ulp) or
/// `fail` (the rank alone reports a runtime failure once its run has finished). Not for production use;
/// documented in docs/cluster.md.
struct FaultInjection {
    enum Kind: String { case kill, hang, nan, signal, slow, mpiError = "mpi-error", diverge, fail }
    let kind: Kind
    let epoch: Int
    let step: Int
    var milliseconds = 0

    static func fromEnvironment(rank: Int) -> FaultInjection? {
        guard let spec = ProcessInfo.processInfo.environment["DIR_DIST_TEST_FAULT"] else { return nil }
        let parts = spec.split(separator: ":")
        guard let first = parts.first, let kind = Kind(rawValue: String(first)) else { return nil }
        var values = [String: Int]()
        for part in parts.dropFirst() {
            let kv = part.split(separator: "=")
            if kv.count == 2, let v = Int(kv[1]) { values[String(kv[0])] = v }
        }
        guard values["rank", default: 0] == rank else { return nil }
        return FaultInjection(
            kind: kind, epoch: values["epoch", default: 1] - 1, step: values["step", default: 0],
            milliseconds: values["ms", default: 0])
    }

    func beforeStep(epoch: Int, step: Int, comm: Communicator) {
        if kind == .slow { usleep(useconds_t(milliseconds * 1000)) }
        guard epoch == self.epoch, step == self.step else { return }
        switch kind {
        case .kill: kill(getpid(), SIGKILL)
        case .hang: while true { sleep(1000) }
        case .signal: csig_raise_usr1()
        case .mpiError: comm.failOnPurpose()
        case .nan, .slow, .diverge, .fail: break
        }
    }

    func poisonsLoss(epoch: Int, step: Int) -> Bool {
        kind == .nan && epoch == self.epoch && step == self.step
    }
}

/// Fault injection `fail` on `rank`: the run should end in a failure of this rank alone.
public func injectedFailureAfterTheRun(rank: Int) -> Bool { FaultInjection.fromEnvironment(rank: rank)?.kind == .fail }
