// A whole training run on one rank: prepare (with agreed verdicts), resume if asked,
// train with validation each epoch and checkpoints, stop cleanly on a signal or a
// bad loss, test, write outputs. Errors are thrown to the caller, which prints them.
import Checkpoints
import Collectives
import DIR
import Datasets
import Fingerprints
import Foundation
import NN
import Settings
import Training

public enum TrainingRun {
    /// Trains `config` on every rank of `comm` (collective). Bad input throws, the
    /// same error on every rank; rank 0 has printed everything else through its reporter.
    /// `spelling` names settings in console lines as the user gave them; `console` false
    /// keeps the run's progress lines off the terminal (its files are written as ever).
    public static func run(
        _ config: TrainingConfig, comm: Communicator,
        spelling: @escaping @Sendable (Setting) -> String = { $0.rawValue }, console: Bool = true
    ) throws -> RunEnd {
        let reporter = Reporter(isRoot: comm.isRoot, directory: config.execution.outputDirectory, spelling: spelling)
        reporter.console = console
        let data = try prepare(config, comm: comm)
        Preemption.install()
        let session = try TrainingSession(config: config, data: data, reporter: reporter, comm: comm)
        let end = try session.run()
        if injectedFailureAfterTheRun(rank: comm.rank) { throw InjectedFailure() }
        return end
    }

    /// What every run does before training, `dir-dist bench` included (collective): the
    /// launch, the output folder, the data (loaded, agreed on, finite), the same
    /// configuration on every rank, the BLAS threads. Bad input throws on every rank.
    public static func prepare(_ config: TrainingConfig, comm: Communicator) throws -> PreparedData {
        try LaunchCheck.check(comm)
        try checkOutputs(config.execution, comm)
        let data = try Agreement.together(comm) { () throws -> PreparedData in
            let d = try PreparedData(recipe: config.recipe, comm: comm)
            try d.checkFinite(comm: comm)
            return d
        }
        try checkSameEverywhere(config, comm)
        // Reproducible training keeps one BLAS thread per rank unless told otherwise: a
        // threaded product may split its sums by the thread count, which follows the ranks.
        Compute.configure(threads: config.execution.threads ?? (config.recipe.microBatch != nil ? 1 : nil), comm)
        return data
    }

    /// Rank 0 checks the output folder and the FDS dump file before any work.
    static func checkOutputs(_ execution: Execution, _ comm: Communicator) throws {
        try Agreement.together(comm) {
            guard comm.isRoot else { return }
            if let out = execution.outputDirectory {
                try Reporter.prepareOutput(out, resuming: execution.resume != nil)
            }
            if let dump = execution.fdsDump, execution.resume == nil, FileManager.default.fileExists(atPath: dump) {
                throw SettingError(.fdsDump, "'\(dump)' exists; choose a new file")
            }
        }
    }

    /// Every rank must train on the same configuration (docs/protocol.md; the data was agreed on
    /// as it was loaded); when they do not, the error names the hosts and ranks that differ.
    static func checkSameEverywhere(_ config: TrainingConfig, _ comm: Communicator) throws {
        var h = Fingerprint()
        h.add(bytes: Array(try config.canonicalJSON()))
        if let differing = Agreement.ranksDiffering(from: h.value(), comm) {
            throw InputError(
                "configuration",
                "ranks disagree: \(differing.ranks) run another configuration than rank 0 on \(differing.rootHost) "
                    + "(another dir-dist version?)")
        }
    }
}

/// Denormals flushed to zero; one BLAS thread per rank when ranks share cores (docs/protocol.md §2).
public enum Compute {
    public static func configure(threads: Int?, _ comm: Communicator) {
        BLAS.flushDenormals()
        defer { BLAS.warmUp() }
        if let threads {
            BLAS.setThreads(threads)
        } else if ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] == nil {
            let cores = Cores.allowed
            BLAS.setThreads(max(1, cores / max(1, comm.localSize)))
        }
    }
}

/// The test-only failure of one rank (DIR_DIST_TEST_FAULT=fail).
struct InjectedFailure: Error, CustomStringConvertible {
    var description: String { "error: injected failure (DIR_DIST_TEST_FAULT=fail)" }
}
