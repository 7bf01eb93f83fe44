// `dir-dist sweep`: the cross product of varied `train` options times seeds, run by
// groups of ranks in one MPI job. Every run's options are parsed and checked as `train`
// would before MPI starts, so a bad sweep is refused with one line before any run.
import ArgumentParser
import Collectives
import Datasets
import Foundation
import Orchestration
import Reports
import Settings
import Sweeps

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train named configurations (and varied options) over seeds, a group of ranks per run.",
        discussion: """
            Other options are `train` options shared by every run. Each run writes its own folder
            OUT/run-NNN as `train --out` would; OUT/sweep.jsonl gets one line per finished run, and
            summary.csv, selected.json name each configuration as given. Example:
              mpirun -np 4 dir-dist sweep --out runs/sweep --seeds 0-4 --data data/stsb-dir \
                --config vanilla="" --config lds="--reweight sqrt_inv --lds" \
                --config denseweight="--reweight denseweight" --config bmc="--loss bmc"
            A sweep file (--sweep-file, TOML) holds the same: see docs/cli.md.
            """)

    @Option(help: "Ranks that train one run together; must divide the job's ranks (1).") var ranksPerRun: Int?
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "A named configuration, NAME=\"train options\" (repeatable): the name labels its runs in summary.csv, "
                + "selected.json and the report.", valueName: "name=options"))
    var configs: [String] = []
    @Option(
        help: ArgumentHelp(
            "A train option and its values, OPTION=V1,V2,... (repeatable; every combination, within every "
                + "configuration; yes/no switch a flag such as fds on and off).",
            valueName: "option=values"))
    var vary: [String] = []
    @Option(help: "Seeds: a range 0-4 or a list 0,1,2 (0).") var seeds: String?
    @Option(help: "A sweep file (TOML): seeds, ranks_per_run, select_by, baseline, options, [configs], [grid].")
    var sweepFile: String?
    @Option(help: "The sweep's folder.") var out: String
    @OptionGroup(title: "Comparison") var selection: SelectionOptions
    @Flag(help: "Continue a stopped sweep in --out: skip finished runs, resume the unfinished from their checkpoints.")
    var resume = false
    @Argument(parsing: .allUnrecognized, help: "train options shared by every run.") var trainOptions: [String] = []

    /// The sweep's own options; every run's options are checked by `plan` in `run`, on every
    /// rank alike, before any run starts.
    func validate() throws {
        if let r = ranksPerRun, r < 1 { throw optionError("--ranks-per-run", "must be positive, got \(r)") }
    }

    /// The sweep file's specification, then the command line's: its configurations and
    /// varied options after the file's, its train options after the file's (so they win),
    /// its seeds, ranks per run and selection instead of the file's.
    func specification() throws -> SweepSpecification {
        var spec = try sweepFile.map(SweepFile.read) ?? SweepSpecification()
        for text in configs {
            guard let equals = text.firstIndex(of: "=") else {
                throw optionError("--config", "'\(text)' is not NAME=\"train options\"")
            }
            let name = String(text[..<equals])
            let options: [String]
            do { options = try OptionWords.split(String(text[text.index(after: equals)...])) } catch {
                throw optionError("--config", "\(name): \(error.message)")
            }
            do { try spec.addConfig(name, options, at: "--config") } catch let error as InputError {
                throw optionError("--config", error.message)
            }
        }
        spec.grid += try vary.map(Self.axis)
        if let seeds {
            guard let list = SweepSpecification.seeds(seeds) else {
                throw optionError("--seeds", "'\(seeds)' is not a range like 0-4 or a list like 0,1,2")
            }
            spec.seeds = list
        }
        if let ranksPerRun { spec.ranksPerRun = ranksPerRun }
        if let selectBy = selection.selectBy { spec.selectBy = selectBy }
        if let baseline = selection.baseline { spec.baseline = baseline }
        try SelectionOptions.check(selectBy: spec.selectBy ?? SelectionOptions.defaultRule)
        if let baseline = spec.baseline, !spec.configs.isEmpty, spec.grid.isEmpty,
            !spec.configs.contains(where: { $0.name == baseline })
        {
            throw optionError("--baseline", "'\(baseline)' names no configuration of this sweep")
        }
        spec.options += trainOptions
        return spec
    }

    /// Every run in order: each configuration (or the one unnamed), within it each
    /// combination of the varied options (first outermost), each with every seed.
    func plan(_ spec: SweepSpecification) throws -> [SweepRun] {
        let named: [(name: String?, options: [String])] =
            spec.configs.isEmpty ? [(nil, [])] : spec.configs.map { ($0.name, $0.options) }
        for options in [spec.options] + named.map(\.options) {
            for owned in ["--seed", "--out", "--resume"]
            where options.contains(where: { $0 == owned || $0.hasPrefix(owned + "=") }) {
                throw optionError(
                    owned, "is set by the sweep for each run (use --seeds, the sweep's --out and --resume)")
            }
        }
        var combinations: [[[String]]] = [[]]
        for (name, values) in spec.grid {
            combinations = combinations.flatMap { c in values.map { c + [[name, $0]] } }
        }
        var runs = [SweepRun]()
        for config in named {
            for options in combinations {
                let label = ([config.name].compactMap { $0 } + options.map { "\($0[0])=\($0[1])" }).joined(
                    separator: " ")
                for seed in spec.seeds ?? [0] {
                    let trained = try Self.configuration(
                        spec.options + config.options, options: options, seed: seed,
                        out: SweepSummary.runFolder(runs.count, in: out), name: config.name)
                    runs.append(SweepRun(label: label, options: options, seed: seed, config: trained))
                }
            }
        }
        return runs
    }

    /// "lds-ks=3,5,9" → ("lds-ks", ["3", "5", "9"]).
    private static func axis(_ text: String) throws -> (option: String, values: [String]) {
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

    /// The configuration `train` gives these options; a varied value `yes` or `no` of an
    /// option that takes no value switches the flag on or off.
    private static func configuration(
        _ shared: [String], options: [[String]], seed: UInt64, out: String, name: String?
    ) throws -> TrainingConfig {
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
            let varied = options.map { "\($0[0])=\($0[1])" }.joined(separator: " ")
            let what = [name.map { "--config \($0)" }, varied.isEmpty ? nil : "--vary \(varied)"].compactMap { $0 }
            throw ValidationError(what.isEmpty ? message : "\(what.joined(separator: ", ")): \(message)")
        }
    }

    /// A run that cannot be built, as bad input (status 2): `error: <where>: <what>`.
    private static func badSpecification(_ error: Error) -> InputError {
        if let error = error as? InputError { return error }
        let line = DirDist.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
        guard let colon = line.range(of: ": ") else { return InputError("sweep", line) }
        return InputError(String(line[..<colon.lowerBound]), String(line[colon.upperBound...]))
    }

    func run() throws {
        let comm = Communicator()
        runAndExit(comm) {
            let spec: SweepSpecification, runs: [SweepRun]
            do {
                spec = try specification()
                runs = try plan(spec)
            } catch { throw Self.badSpecification(error) }
            var sweep = Sweep(
                runs: runs, directory: out, ranksPerRun: spec.ranksPerRun ?? 1, resume: resume,
                spelling: { $0.option }, describe: { ErrorLine.of($0) ?? "\($0)" })
            (sweep.baseline, sweep.selectBy) = (spec.baseline, spec.selectBy ?? SelectionOptions.defaultRule)
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
