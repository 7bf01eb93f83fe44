// Option group of the gradient sum: `--sync`, and the older `--shared-memory` /
// `--no-shared-memory` as shorthands for two of its values.
import ArgumentParser
import Settings

enum SyncChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, allreduce, shared, hierarchical
}

struct SyncOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How ranks sum gradients: auto (shared memory on one node, hierarchical across nodes with the same "
                + "ranks each, when every rank has a core), allreduce, shared or hierarchical."))
    var sync: SyncChoice = .auto
    @Flag(
        inversion: .prefixedNo,
        help: "Shorthand for --sync shared (--no-shared-memory: --sync allreduce).")
    var sharedMemory: Bool?

    func validate() throws {
        if sharedMemory != nil && sync != .auto {
            throw optionError("--sync", "give either --sync or --\(sharedMemory! ? "" : "no-")shared-memory")
        }
    }

    /// The configuration's choice; nil: chosen for the job's layout.
    var gradientSum: GradientSum? {
        if let sharedMemory { return sharedMemory ? .shared : .allreduce }
        return GradientSum(rawValue: sync.rawValue)
    }
}
