// `dir-dist report DIR`: report.html for a run's or a sweep's folder (and, for a sweep,
// summary.csv and selected.json again with the given baseline and selection). A serial
// command: under mpirun only rank 0 writes.
import ArgumentParser
import Foundation
import Orchestration
import Reports

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write DIR/report.html for a training run's folder or a sweep's (one self-contained page).")

    @Argument(help: "A folder written by `train --out` or `sweep --out`.") var directory: String
    @OptionGroup(title: "Sweep comparison") var selection: SelectionOptions

    func run() throws {
        guard ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_RANK"].map({ $0 == "0" }) ?? true else { return }
        do {
            let page = try ReportPage(directory: directory, baseline: selection.baseline, selectBy: selection.rule)
            if let summary = page.summary { try summary.write(to: directory) }
            print("report: \(try page.write())")
        } catch {
            FileHandle.standardError.write(Data(((ErrorLine.of(error) ?? "\(error)") + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
