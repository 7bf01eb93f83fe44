// `dir-dist sweep`: many training runs (varied options × seeds) in one MPI job. The
// world is split into groups of R ranks; each group takes the next run from a counter
// on world rank 0 (one-sided fetch-and-add, so rank 0 trains too) and trains it exactly
// as `dir-dist train` on R ranks would, into the run's own folder. A finished run
// leaves `run.json` (status, error, seconds) there, so a resumed sweep knows what is
// done from the files alone; at the end world rank 0 appends one line per finished run
// to `sweep.jsonl`.
import Checkpoints
import Collectives
import Foundation
import Orchestration
import Reports
import Settings
import Storage
import Training

/// One run of a sweep: the varied options as the user named them, the seed, and the
/// configuration they give (its output folder is set by the sweep).
public struct SweepRun: Sendable {
    /// The configuration's name in summary.csv and the report: its own name (`--config`),
    /// then its varied options as `option=value`.
    public let label: String
    public let options: [[String]]
    public let seed: UInt64
    public var config: TrainingConfig

    public init(label: String, options: [[String]], seed: UInt64, config: TrainingConfig) {
        self.label = label
        self.options = options
        self.seed = seed
        self.config = config
    }
}

public struct Sweep {
    public let runs: [SweepRun]
    public let directory: String
    public let ranksPerRun: Int
    public let resume: Bool
    /// Names settings as the user gave them.
    public let spelling: @Sendable (Setting) -> String
    /// The one error line of a failed run (the CLI's rendering).
    public let describe: @Sendable (Error) -> String
    /// The comparison's baseline configuration ("fds=no lr=0.001"; nil: the vanilla one).
    public var baseline: String?
    /// The validation shot the selection looks at.
    public var selectBy = "few"

    public init(
        runs: [SweepRun], directory: String, ranksPerRun: Int, resume: Bool,
        spelling: @escaping @Sendable (Setting) -> String, describe: @escaping @Sendable (Error) -> String
    ) {
        self.runs = runs
        self.directory = directory
        self.ranksPerRun = ranksPerRun
        self.resume = resume
        self.spelling = spelling
        self.describe = describe
    }

    public func folder(_ k: Int) -> String { SweepSummary.runFolder(k, in: directory) }

    /// Runs the sweep on every rank of `world` (collective): success, or preempted when a
    /// signal stopped it (the unfinished runs continue with `resume`).
    public func run(world: Communicator) throws -> ExitStatus {
        guard world.size % ranksPerRun == 0 else {
            throw SettingError(
                .ranksPerRun, "\(ranksPerRun) does not divide the \(world.size) ranks of this job into groups")
        }
        try Agreement.together(world) { if world.isRoot { try prepareDirectory() } }
        let group = world.split(color: world.rank / ranksPerRun)
        let queue = SharedCounter(world)
        let progress = Progress(world: world, total: runs.count, done: world.isRoot ? doneBefore() : 0)
        Preemption.install()
        var preempted = false
        while !preempted {
            var next = [group.isRoot && !Preemption.requested ? queue.next() : runs.count]
            group.broadcast(&next)
            guard next[0] < runs.count else { break }
            let outcome = try train(next[0], group: group, groupIndex: world.rank / ranksPerRun)
            preempted = outcome.end == .preempted
            if group.isRoot && outcome.trained { progress.finished(failed: outcome.failed) }
        }
        progress.free()
        queue.free()
        group.free()
        let stopped = world.allreduce(Int64(preempted ? 1 : 0), op: .max) > 0
        try Agreement.together(world) { if world.isRoot { try writeSummary() } }
        return stopped ? .preempted : .success
    }

    private func prepareDirectory() throws {
        let fm = FileManager.default
        if !resume && fm.fileExists(atPath: "\(directory)/sweep.jsonl") {
            throw SettingError(
                .outputDirectory,
                "'\(directory)' already holds a sweep (sweep.jsonl); choose a new folder or continue it with --resume")
        }
        try Reporter.prepareOutput(directory, resuming: true)
        // The folder is a sweep's from now on, even if no run finishes.
        if !fm.fileExists(atPath: "\(directory)/sweep.jsonl") {
            try ResultFile.writeAtomically([], to: "\(directory)/sweep.jsonl")
        }
    }

    /// Runs already finished (a resumed sweep's), which the progress leaves out.
    private func doneBefore() -> Int {
        runs.indices.filter { FileManager.default.fileExists(atPath: "\(folder($0))/run.json") }.count
    }

    /// Trains run `k` on `group` unless it is done; returns how it ended, whether it was
    /// trained now (not skipped, not preempted) and whether it failed.
    private func train(_ k: Int, group: Communicator, groupIndex: Int) throws
        -> (end: RunEnd, trained: Bool, failed: Bool)
    {
        var action = [group.isRoot ? Int64(startAction(k).rawValue) : 0]
        group.broadcast(&action)
        guard let start = StartAction(rawValue: Int(action[0])), start != .skip else {
            return (.finished, false, false)
        }
        var config = runs[k].config
        config.execution.outputDirectory = folder(k)
        config.execution.resume = start == .resume ? "auto" : nil
        let began = Clock.now()
        var status = "ok", error: String?
        var end = RunEnd.finished
        do {
            end = try TrainingRun.run(config, comm: group, spelling: spelling, console: false)
        } catch let failure {
            (status, error) = ("failed", describe(failure))
        }
        if end == .nonFiniteLoss { (status, error) = ("failed", "non-finite training loss") }
        // The group agrees on the outcome: a run that failed on one rank failed for all,
        // in the words of the lowest such rank.
        let failing = group.allreduce(error == nil ? Int.max : group.rank, op: .min)
        if failing != Int.max {
            var words = Array((error ?? "").utf8)
            group.broadcast(bytes: &words, root: failing)
            (status, error) = ("failed", String(decoding: words, as: UTF8.self))
            if end == .preempted { end = .finished }
        }
        if end == .preempted { return (end, false, false) }
        // Recording is the group's too: if run.json cannot be written, the whole group
        // says so and goes on (the run is not marked done, so a resumed sweep retries it).
        do {
            try Agreement.together(group) {
                if group.isRoot {
                    try record(k, status: status, error: error, seconds: Clock.now() - began, group: groupIndex)
                }
            }
        } catch let failure {
            if group.isRoot {
                FileHandle.standardError.write(
                    Data("warning: sweep: run \(k): cannot record its outcome: \(describe(failure))\n".utf8))
            }
        }
        return (end, true, status != "ok")
    }

    private enum StartAction: Int {
        case skip, fresh, resume
    }

    /// Done (run.json written): skip. A checkpoint: resume it. A partial run without
    /// one: set its folder aside (nothing is deleted) and start afresh.
    private func startAction(_ k: Int) -> StartAction {
        let fm = FileManager.default
        let dir = folder(k)
        if fm.fileExists(atPath: "\(dir)/run.json") { return .skip }
        if fm.fileExists(atPath: "\(dir)/checkpoint.ckpt") { return .resume }
        if fm.fileExists(atPath: dir) {
            var n = 1
            while fm.fileExists(atPath: "\(dir).partial-\(n)") { n += 1 }
            try? fm.moveItem(atPath: dir, toPath: "\(dir).partial-\(n)")
        }
        return .fresh
    }

    private func record(_ k: Int, status: String, error: String?, seconds: Double, group: Int) throws {
        try? FileManager.default.createDirectory(atPath: folder(k), withIntermediateDirectories: true)
        let text =
            "{\"status\":\"\(status)\",\"error\":\(error.map(JSONText.string) ?? "null"),"
            + "\"seconds\":\(JSONText.number(seconds)),\"group\":\(group)}\n"
        try ResultFile.writeAtomically(Array(text.utf8), to: "\(folder(k))/run.json")
    }

    /// Appends a line to sweep.jsonl for every finished run not in it yet, in run order.
    private func writeSummary() throws {
        let path = "\(directory)/sweep.jsonl"
        let listed = Set(
            (FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "")
                .split(separator: "\n").compactMap { line in
                    (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["run"] as? Int
                })
        for k in runs.indices where !listed.contains(k) {
            if let line = try SweepLine(sweep: self, run: k).text { try ResultFile.append(line + "\n", to: path) }
        }
        let lines = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        let summary = SweepSummary(
            sweepLines: lines.split(separator: "\n").map(String.init), baseline: baseline, selectBy: selectBy)
        try summary.write(to: directory)
    }
}

/// The sweep's progress line, printed by the first rank of the group that finished a run:
/// runs done of the total, failures, and the time left at the pace so far (runs finish in
/// parallel groups, so the pace is runs per second of the whole job).
private struct Progress {
    private let finished: SharedCounter
    private let failures: SharedCounter
    private let total: Int
    /// Runs done before this job (a resumed sweep), agreed from rank 0.
    private let before: Int
    private let started = Clock.now()

    init(world: Communicator, total: Int, done: Int) {
        var before = [Int64(done)]
        world.broadcast(&before)
        self.before = Int(before[0])
        self.total = total
        finished = SharedCounter(world)
        failures = SharedCounter(world)
    }

    func finished(failed: Bool) {
        let done = finished.next() + 1
        let failedSoFar = failures.add(failed ? 1 : 0) + (failed ? 1 : 0)
        let left = total - before - done
        let pace = (Clock.now() - started) / Double(done)
        let eta = left > 0 ? String(format: ", about %.0f s left", pace * Double(left)) : ""
        let resumed = before > 0 ? " (\(before) done before)" : ""
        // Unbuffered, so that the line arrives while the sweep goes on.
        let line = "sweep: \(before + done)/\(total) runs done\(resumed), \(failedSoFar) failed\(eta)\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }

    /// Collective.
    func free() {
        finished.free()
        failures.free()
    }
}
