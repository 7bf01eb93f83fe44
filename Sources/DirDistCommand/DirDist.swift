// The `dir-dist` command: parsing and wiring only (STYLE habit 6).
// Bad usage prints one `error:` line (from rank 0 only) and exits with status 2.
import ArgumentParser
import Collectives
import Foundation
import NN

public struct DirDist: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dir-dist",
        abstract: "Data-parallel deep imbalanced regression (LDS + FDS) over MPI.",
        discussion: """
            Run under mpirun: every rank trains a replica, gradients are allreduced.
            With no arguments, trains on the embedded Abalone data set.
            """,
        subcommands: [Train.self, Predict.self, LDS.self, Bench.self, SweepCommand.self, Report.self],
        defaultSubcommand: Train.self)

    public init() {}

    /// Parses `arguments` (the command line without the program name) as `main` does, with
    /// every option check, and runs nothing; the error line it would print, or nil. For
    /// the option parser's fuzz target.
    public static func check(_ arguments: [String]) -> String? {
        do {
            _ = try parseAsRoot(attachingPairValues(arguments))
            return nil
        } catch {
            return exitCode(for: error) == .success ? nil : fullMessage(for: error)
        }
    }

    public static func main() {
        // First of all, before MPI starts: the right BLAS kernels (may re-exec this process).
        KernelChoice.applyAtStart()
        let arguments = attachingPairValues(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let status = exitCode(for: error)
            if status == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            var text = Substring(message)
            for prefix in ["Error: ", "error: "] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
            reportUsageError("error: \(text)")
            Foundation.exit(2)
        }
    }

    /// Options that take a pair of numbers (`--label-range -1 4`): the parser would take a
    /// negative number for an option, so each number is attached to its own copy of the
    /// option (`--label-range=-1 --label-range=4`), which the parser collects in order.
    static func attachingPairValues(_ arguments: [String]) -> [String] {
        let pairs: Set<String> = ["--label-range", "--fds-clip"]
        var out = [String]()
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if pairs.contains(a), i + 2 < arguments.count, Double(arguments[i + 1]) != nil,
                Double(arguments[i + 2]) != nil
            {
                out += ["\(a)=\(arguments[i + 1])", "\(a)=\(arguments[i + 2])"]
                i += 3
                continue
            }
            if a == "--" {
                out += arguments[i...]
                break
            }
            out.append(a)
            i += 1
        }
        return out
    }

    /// Every rank parsed the same arguments and failed the same way; only rank 0 speaks.
    /// Under mpirun the ranks meet in a barrier first: a rank that exited at once would
    /// make mpirun kill rank 0 before its line is written.
    static func reportUsageError(_ line: String) {
        guard let size = ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap(Int.init), size > 1 else {
            FileHandle.standardError.write(Data((line + "\n").utf8))
            return
        }
        let comm = Communicator()
        if comm.isRoot { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        comm.barrier()
        comm.finalize()
    }
}
