// `dir-dist sweep`: the cross product of varied `train` options times seeds, run by
// groups of ranks in one MPI job. Every run's options are parsed and checked as `train`
// would before MPI starts, so a bad sweep is refused with one line before any run.
import ArgumentParser
import Collectives
import Datasets
import Foundation
import Orchestration
import Settings

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train every combination of varied options and seeds, a group of ranks per run.",
        discussion: """
            Other options are `train` options shared by every run. Each run writes its own folder
            OUT/run-NNN as `train --out` would; OUT/sweep.jsonl gets one line per finished run.
            Example: mpirun -np 4 dir-dist sweep --ranks-per-run 2 --vary lds-ks=3,5,9 --vary fds=yes,no \\
                --seeds 0-2 --out runs/sweep --reweight sqrt_inv --lds
            """)

    @Option(help: "Ranks that train one run together; must divide the job's ranks.") var ranksPerRun = 1
    @Option(
        help: ArgumentHelp(
            "A train option and its values, OPTION=V1,V2,... (repeatable; yes/no switch a flag such as fds on and off).",
            valueName: "option=values"))
    var vary: [String] = []
    @Option(help: "Seeds: a range 0-4 or a list 0,1,2.") var seeds = "0"
    @Option(help: "The sweep's folder.") var out: String
    @Option(help: "The comparison's baseline, as summary.csv names it (\"lds=no fds=no\"; default: the vanilla one).")
    var baseline: String?
    @Option(
        help: ArgumentHelp(
            "Select on this validation shot's MAE: all, many, median or few (few: among the configurations within 2% "
                + "of the best all-shot validation MAE)."))
    var selectBy = "few"
    @Flag(help: "Continue a stopped sweep in --out: skip finished runs, resume the unfinished from their checkpoints.")
    var resume = false
    @Argument(parsing: .allUnrecognized, help: "train options shared by every run.") var trainOptions: [String] = []

    /// The sweep's own options; every run's options are checked by `plan` in `run`, on every
    /// rank alike, before any run starts.
    func validate() throws {
        if ranksPerRun < 1 { throw optionError("--ranks-per-run", "must be positive, got \(ranksPerRun)") }
        if !SweepSummary.shots.contains(selectBy) {
            throw optionError("--select-by", "'\(selectBy)' is not all, many, median or few")
        }
    }

    /// Every run in order: the varied options' combinations (first --vary outermost), each with every seed.
    func plan() throws -> [SweepRun] {
        for owned in ["--seed", "--out", "--resume"]
        where trainOptions.contains(where: { $0 == owned || $0.hasPrefix(owned + "=") }) {
            throw optionError(owned, "is set by the sweep for each run (use --seeds, the sweep's --out and --resume)")
        }
        guard let seedList = Self.seeds(seeds) else {
            throw optionError("--seeds", "'\(seeds)' is not a range like 0-4 or a list like 0,1,2")
        }
        let axes = try vary.map(Self.axis)
        var combinations: [[[String]]] = [[]]
        for (name, values) in axes { combinations = combinations.flatMap { c in values.map { c + [[name, $0]] } } }
        var runs = [SweepRun]()
        for options in combinations {
            for seed in seedList {
                let config = try Self.configuration(
                    trainOptions, options: options, seed: seed, out: Sweep.runFolder(runs.count, in: out))
                runs.append(SweepRun(options: options, seed: seed, config: config))
            }
        }
        return runs
    }

    /// "lds-ks=3,5,9" → ("lds-ks", ["3", "5", "9"]).
    private static func axis(_ text: String) throws -> (String, [String]) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        let name = parts.first.map { $0.hasPrefix("--") ? String($0.dropFirst(2)) : $0 } ?? ""
        let values =
            parts.count == 2 ? parts[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
        guard !name.isEmpty, !values.isEmpty, !values.contains("") else {
            throw optionError("--vary", "'\(text)' is not OPTION=V1,V2,...")
        }
        if ["seed", "out", "resume"].contains(name) {
            throw optionError("--vary", "'\(name)' is set by the sweep (use --seeds)")
        }
        return (name, values)
    }

    private static func seeds(_ text: String) -> [UInt64]? {
        let range = text.split(separator: "-").map { UInt64($0) }
        if range.count == 2, let lo = range[0], let hi = range[1], lo <= hi { return Array(lo...hi) }
        let list = text.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0) }
        return list.contains(nil) || list.isEmpty ? nil : list.map { $0! }
    }

    /// The configuration `train` gives these options; a varied value `yes` or `no` of an
    /// option that takes no value switches the flag on or off.
    private static func configuration(_ shared: [String], options: [[String]], seed: UInt64, out: String) throws
        -> TrainingConfig
    {
        var arguments = shared
        for option in options {
            let (name, value) = ("--\(option[0])", option[1])
            let asValue = arguments + [name, value]
            // Only yes/no may mean a flag; ask the parser (slow, about 10 ms) only then.
            if !["yes", "no"].contains(value) || (try? Train.parse(asValue + ["--out", out])) != nil {
                arguments += [name, value]
            } else if value == "yes" {
                arguments.append(name)
            }
        }
        do {
            var config = try Train.parse(arguments + ["--seed", "\(seed)", "--out", out]).configuration
            // A relative FDS dump goes into each run's own folder (the report finds it there).
            if let dump = config.execution.fdsDump, !dump.hasPrefix("/") { config.execution.fdsDump = "\(out)/\(dump)" }
            return config
        } catch {
            let message = Train.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            let what = options.map { "\($0[0])=\($0[1])" }.joined(separator: " ")
            throw ValidationError(what.isEmpty ? message : "--vary \(what): \(message)")
        }
    }

    /// A run that cannot be built, as bad input (status 2): `error: <where>: <what>`.
    private static func badSpecification(_ error: Error) -> InputError {
        let line = DirDist.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        guard let colon = line.range(of: ": ") else { return InputError("sweep", line) }
        return InputError(String(line[..<colon.lowerBound]), String(line[colon.upperBound...]))
    }

    func run() throws {
        let comm = Communicator()
        runAndExit(comm) {
            let runs: [SweepRun]
            do { runs = try plan() } catch { throw Self.badSpecification(error) }
            var sweep = Sweep(
                runs: runs, directory: out, ranksPerRun: ranksPerRun, resume: resume, spelling: { $0.option },
                describe: { ErrorLine.of($0) ?? "\($0)" })
            (sweep.baseline, sweep.selectBy) = (baseline, selectBy)
            let started = Date()
            let status = try sweep.run(world: comm)
            if comm.isRoot {
                let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
                print("sweep: \(sweep.runs.count) runs in \(seconds) s; results in \(out)/sweep.jsonl")
            }
            return status
        }
    }
}
