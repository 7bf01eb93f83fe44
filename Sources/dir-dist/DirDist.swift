// The `dir-dist` command: parsing and wiring only (STYLE habit 6).
// Bad usage prints one `error:` line (from rank 0 only) and exits with status 2.
import ArgumentParser
import Foundation

@main
struct DirDist: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dir-dist",
        abstract: "Data-parallel deep imbalanced regression (LDS + FDS) over MPI.",
        discussion: """
            Run under mpirun: every rank trains a replica, gradients are allreduced.
            With no arguments, trains on the embedded Abalone data set.
            """,
        subcommands: [Train.self, LDS.self, Bench.self],
        defaultSubcommand: Train.self)

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch {
            let status = exitCode(for: error)
            if status == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            if isRankZero {
                let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                var text = Substring(message)
                for prefix in ["Error: ", "error: "] where text.hasPrefix(prefix) { text = text.dropFirst(prefix.count) }
                let line = "error: \(text)"
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            Foundation.exit(2)
        }
    }

    /// Before MPI is initialised the rank is only known from the launcher's environment.
    static var isRankZero: Bool {
        let env = ProcessInfo.processInfo.environment
        let rank = env["OMPI_COMM_WORLD_RANK"] ?? env["PMIX_RANK"] ?? env["PMI_RANK"] ?? "0"
        return rank == "0"
    }
}

