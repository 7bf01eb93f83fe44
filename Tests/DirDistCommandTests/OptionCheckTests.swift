// The command line's checks without running anything: options shared by subcommands
// give the same words everywhere (`--hidden` for train and bench, `--select-by` for sweep
// and report), `--sync` takes what users type, and a valid line passes.
import DirDistCommand
import XCTest

final class OptionCheckTests: XCTestCase {
    private func error(_ arguments: [String]) -> String? { DirDist.check(arguments) }

    func testValidLinesPass() {
        XCTAssertNil(error(["train", "--epochs", "3", "--sync", "shared", "--hidden", "16,16"]))
        XCTAssertNil(error(["bench", "--hidden", "8"]))
        XCTAssertNil(error(["sweep", "--out", "x", "--config", "a=--lds", "--select-by", "all"]))
    }

    func testSharedOptionsGiveTheSameWordsInEverySubcommand() throws {
        for command in [["train"], ["bench"]] {
            let message = try XCTUnwrap(error(command + ["--hidden", "16,,8"]))
            XCTAssertTrue(
                message.contains("--hidden: '16,,8' is not a comma-separated list of positive sizes"), message)
        }
        for command in [["sweep", "--out", "x"], ["report", "dir"]] {
            let message = try XCTUnwrap(error(command + ["--select-by", "most"]))
            XCTAssertTrue(message.contains("--select-by: 'most' is not all, many, median or few"), message)
        }
    }

    func testSyncTakesTheWordsUsersType() throws {
        for value in ["auto", "allreduce", "shared", "hierarchical"] {
            XCTAssertNil(error(["train", "--sync", value]), value)
        }
        let message = try XCTUnwrap(error(["train", "--sync", "exact"]))
        XCTAssertTrue(message.contains("exact"), "the exact sum comes with --reproducible, not --sync: \(message)")
        let both = try XCTUnwrap(error(["train", "--sync", "shared", "--no-shared-memory"]))
        XCTAssertTrue(both.contains("give either --sync or --no-shared-memory"), both)
    }
}
