// Option group of the gradient sum: `--sync`, and the older `--shared-memory` /
// `--no-shared-memory` as shorthands for two of its values.
import ArgumentParser
import Settings

import Sync

/// `--sync`: `auto`, or one of the sums a user can ask for (`GradientSum.requestable`).
struct SyncRequest: ExpressibleByArgument, Equatable {
    /// nil: auto (chosen for the job's layout).
    let sum: GradientSum?

    init(_ sum: GradientSum?) { self.sum = sum }

    init?(argument: String) {
        if argument == "auto" {
            sum = nil
            return
        }
        guard let sum = GradientSum(rawValue: argument), GradientSum.requestable.contains(sum) else { return nil }
        self.sum = sum
    }

    static var allValueStrings: [String] { ["auto"] + GradientSum.requestable.map(\.rawValue) }
    var defaultValueDescription: String { sum?.rawValue ?? "auto" }
}

struct SyncOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How ranks sum gradients: auto (shared memory on one node, hierarchical across nodes with the same "
                + "ranks each, when every rank has a core), allreduce, shared or hierarchical."))
    var sync = SyncRequest(nil)
    @Flag(
        inversion: .prefixedNo,
        help: "Shorthand for --sync shared (--no-shared-memory: --sync allreduce).")
    var sharedMemory: Bool?

    func validate() throws {
        if sharedMemory != nil && sync.sum != nil {
            throw optionError("--sync", "give either --sync or --\(sharedMemory! ? "" : "no-")shared-memory")
        }
    }

    /// The configuration's choice; nil: chosen for the job's layout.
    var gradientSum: GradientSum? {
        if let sharedMemory { return sharedMemory ? .shared : .allreduce }
        return sync.sum
    }
}
