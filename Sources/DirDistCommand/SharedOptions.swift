// Option values more than one subcommand takes, parsed and checked in one place:
// `--hidden` (train, bench) and the sweep selection (sweep, report).
import ArgumentParser
import Reports

/// `--hidden 256,256`: the sizes, or the one error every subcommand gives.
func hiddenLayerSizes(_ text: String) throws -> [Int] {
    let sizes = text.split(separator: ",", omittingEmptySubsequences: false).map {
        Int($0.trimmingCharacters(in: .whitespaces))
    }
    guard !sizes.isEmpty, sizes.allSatisfy({ ($0 ?? 0) > 0 }) else {
        throw optionError("--hidden", "'\(text)' is not a comma-separated list of positive sizes")
    }
    return sizes.map { $0! }
}

/// How a sweep's comparison is summarised: its baseline and the selection rule.
struct SelectionOptions: ParsableArguments {
    @Option(help: "The comparison's baseline, as summary.csv names it (\"lds=no fds=no\"; default: the vanilla one).")
    var baseline: String?
    @Option(
        help: ArgumentHelp(
            "Select on this validation shot's MAE: all, many, median or few (few, the default: among the "
                + "configurations within 2% of the best all-shot validation MAE)."))
    var selectBy: String?

    static let defaultRule = "few"

    /// The rule to apply: the one given, else few-shot.
    var rule: String { selectBy ?? Self.defaultRule }

    func validate() throws {
        if let selectBy { try Self.check(selectBy: selectBy) }
    }

    static func check(selectBy: String) throws {
        if !SweepSummary.shots.contains(selectBy) {
            throw optionError("--select-by", "'\(selectBy)' is not all, many, median or few")
        }
    }
}
