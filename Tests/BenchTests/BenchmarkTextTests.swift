// What `dir-dist bench` prints: the sum in the words users type, one rank without an
// allreduce bandwidth (there is no transfer to measure), and a CSV row that matches its
// header column for column.
import Bench
import Sync
import XCTest

final class BenchmarkTextTests: XCTestCase {
    private func report(ranks: Int, sync: SyncPlan) -> BenchmarkReport {
        var r = BenchmarkReport()
        r.ranks = ranks
        r.sync = sync
        r.perRankBatch = 32
        r.parameters = 1000
        r.bytesPerStep = 4000
        r.allreduceSeconds = 1e-5
        r.perRankPhases = Array(repeating: [1e-3, 2e-3, 1e-4, 1e-4], count: ranks)
        r.perRankRows = Array(repeating: 32, count: ranks)
        r.perRankStep = Array(repeating: 3.2e-3, count: ranks)
        return r
    }

    func testOneRankReportsNoAllreduceBandwidth() {
        let text = report(ranks: 1, sync: SyncPlan(.allreduce)).text(hidden: "32", fds: false)
        XCTAssertTrue(text.contains("allreduce: 4000 bytes per step, none on one rank"), text)
        XCTAssertFalse(text.contains("GB/s algorithmic bandwidth"), text)
        let two = report(ranks: 2, sync: SyncPlan(.allreduce)).text(hidden: "32", fds: false)
        XCTAssertTrue(two.contains("0.40 GB/s algorithmic bandwidth"), two)
    }

    func testTheSumIsNamedAsUsersTypeIt() {
        for (plan, words) in [
            (SyncPlan(.shared), "gradient sum: shared,"), (SyncPlan(.hierarchical), "gradient sum: hierarchical,"),
            (SyncPlan(.allreduce, overlapped: true), "gradient sum: allreduce, overlapped with backward,"),
            (SyncPlan(.exact), "gradient sum: exact,"),
        ] {
            let text = report(ranks: 2, sync: plan).text(hidden: "32", fds: false)
            XCTAssertTrue(text.contains(words), text)
        }
    }

    func testTheCSVRowHasAColumnPerHeaderField() {
        let header = BenchmarkReport.csvHeader.split(separator: ",")
        let row = report(ranks: 2, sync: SyncPlan(.shared)).csvRow(hidden: "32", overlap: false, fds: false)
        // Quoted fields hold no commas here ("32", the method and the model name do not).
        var fields = [String](), field = "", quoted = false
        for c in row.trimmingCharacters(in: .newlines) {
            if c == "\"" {
                quoted.toggle()
            } else if c == "," && !quoted {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
        }
        fields.append(field)
        XCTAssertEqual(fields.count, header.count, row)
        XCTAssertEqual(fields[header.firstIndex(of: "sync")!], "shared")
    }
}
