// The sweep file on its own: configurations keep the order they are written in (the
// parser sorts keys), options are split like a shell line or given as a list, grid
// values of every TOML type become option values, and every mistake names its line and key.
import Sweeps
import XCTest

final class SweepFileTests: XCTestCase {
    func testConfigurationsGridAndSettingsInWrittenOrder() throws {
        let spec = try SweepFile.parse(
            """
            seeds = "0-2"
            ranks_per_run = 2
            select_by = "all"
            baseline = "vanilla"
            options = ["--epochs", "5"]

            [configs]
            zeta = "--reweight sqrt_inv --lds --lds-sigma '2.5'"
            vanilla = ""
            "bmc+fds" = ["--loss", "bmc", "--fds"]

            [grid]
            lr = [0.001, 0.01]
            fds = [true, false]
            lds-ks = [3, 5]
            """, path: "s.toml")
        XCTAssertEqual(spec.configs.map(\.name), ["zeta", "vanilla", "bmc+fds"])
        XCTAssertEqual(spec.configs[0].options, ["--reweight", "sqrt_inv", "--lds", "--lds-sigma", "2.5"])
        XCTAssertEqual(spec.configs[1].options, [])
        XCTAssertEqual(spec.grid.map(\.option), ["lr", "fds", "lds-ks"])
        XCTAssertEqual(spec.grid.map(\.values), [["0.001", "0.01"], ["yes", "no"], ["3", "5"]])
        XCTAssertEqual(spec.seeds, [0, 1, 2])
        XCTAssertEqual(spec.ranksPerRun, 2)
        XCTAssertEqual(spec.selectBy, "all")
        XCTAssertEqual(spec.baseline, "vanilla")
        XCTAssertEqual(spec.options, ["--epochs", "5"])
    }

    func testMistakesNameTheirLineAndKey() {
        let cases: [(String, String)] = [
            (
                "seeds = true\n",
                "s.toml:1: seeds: expected a range like \"0-4\" or a list of seeds like [0, 1, 2], got a boolean"
            ),
            (
                "\n[configs]\nlds = 3\n",
                "s.toml:3: configs.lds: expected train options as a string or a list of strings, got an integer"
            ),
            ("[configs]\nlds = \"--lds 'x\"\n", "s.toml:2: configs.lds: an unclosed quote"),
            ("[grid]\nlr = 0.1\n", "s.toml:2: grid.lr: expected a list of values like [3, 5, 9], got a number"),
            ("configs = \"x\"\n", "s.toml:1: configs: expected a table [configs], got a string"),
            ("epochs = 3\n", "s.toml:1: epochs: unknown key"),
            ("seeds = [0, 1\n", "s.toml:1: not TOML"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try SweepFile.parse(text, path: "s.toml"), text) {
                XCTAssertTrue("\($0)".hasPrefix("error: \(message)"), "want '\(message)', got '\($0)'")
            }
        }
    }

    func testOptionWordsSplitLikeAShell() throws {
        XCTAssertEqual(try OptionWords.split(""), [])
        XCTAssertEqual(try OptionWords.split("  --a 1   --b  "), ["--a", "1", "--b"])
        XCTAssertEqual(
            try OptionWords.split(#"--data "my data/x.csv" --t 'a b' c\ d"#),
            ["--data", "my data/x.csv", "--t", "a b", "c d"])
        XCTAssertEqual(try OptionWords.split("--x ''"), ["--x", ""])
        XCTAssertThrowsError(try OptionWords.split("--x \"open"))
    }
}
