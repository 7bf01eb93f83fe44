// A sweep file (TOML): named configurations, a grid varied within each, seeds and the
// options every run shares, so that "vanilla vs sqrt_inv+LDS vs DenseWeight vs BMC" is
// one file. Parsed by TOMLKit (toml++); this file checks the shape and names the line
// and key of anything wrong, and keeps the configurations in the order they are written.
import Datasets
import Foundation
import TOMLKit

/// What a sweep runs, before any `train` option is checked: from a sweep file, the
/// command line, or both (the command line's entries come after the file's).
public struct SweepSpecification: Sendable {
    /// Named configurations in order: each name with its `train` options.
    public var configs: [(name: String, options: [String])] = []
    /// Options varied within every configuration, in order: option name and its values.
    public var grid: [(option: String, values: [String])] = []
    public var seeds: [UInt64]?
    public var ranksPerRun: Int?
    public var selectBy: String?
    public var baseline: String?
    /// `train` options every run shares.
    public var options: [String] = []

    public init() {}

    /// Adds a configuration, refusing a name given twice or one that would read badly in
    /// summary.csv and the report.
    public mutating func addConfig(_ name: String, _ options: [String], at location: String) throws {
        guard !name.isEmpty, name.allSatisfy({ !$0.isWhitespace && $0 != "," && $0 != "\"" && $0 != "=" }) else {
            throw InputError(location, "'\(name)' is not a configuration name (no spaces, commas, quotes or '=')")
        }
        if configs.contains(where: { $0.name == name }) {
            throw InputError(location, "the configuration '\(name)' is named twice")
        }
        configs.append((name, options))
    }

    /// A range `0-4` or a list `0,1,2`.
    public static func seeds(_ text: String) -> [UInt64]? {
        let range = text.split(separator: "-").map { UInt64($0) }
        if range.count == 2, let lo = range[0], let hi = range[1], lo <= hi { return Array(lo...hi) }
        let list = text.split(separator: ",", omittingEmptySubsequences: false).map { UInt64($0) }
        return list.contains(nil) || list.isEmpty ? nil : list.map { $0! }
    }
}

public enum SweepFile {
    /// Reads the sweep file at `path`.
    public static func read(_ path: String) throws -> SweepSpecification {
        guard let data = FileManager.default.contents(atPath: path) else { throw InputError(path, "cannot read") }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses a sweep file's text; errors name `path:line` and the key.
    public static func parse(_ text: String, path: String) throws -> SweepSpecification {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw InputError(file: path, line: error.source.begin.line, "not TOML: \(error.description)")
        }
        let lines = KeyLines(text)
        func fail(_ key: String, in section: String? = nil, _ message: String) -> InputError {
            let name = section.map { "\($0).\(key)" } ?? key
            let line = lines.line(of: key, in: section)
            return InputError(line.map { "\(path):\($0)" } ?? path, "\(name): \(message)")
        }
        var spec = SweepSpecification()
        for key in lines.ordered(table.keys, in: nil) {
            let value = table[key]!
            switch key {
            case "seeds":
                if let text = value.string, let seeds = SweepSpecification.seeds(text) {
                    spec.seeds = seeds
                } else if let array = value.array, !array.isEmpty, array.allSatisfy({ ($0.int ?? -1) >= 0 }) {
                    spec.seeds = array.map { UInt64($0.int!) }
                } else {
                    throw fail(
                        key, "expected a range like \"0-4\" or a list of seeds like [0, 1, 2], got \(describe(value))")
                }
            case "ranks_per_run":
                guard let n = value.int, n > 0 else {
                    throw fail(key, "expected a positive integer, got \(describe(value))")
                }
                spec.ranksPerRun = n
            case "select_by":
                guard let shot = value.string else { throw fail(key, "expected a string, got \(describe(value))") }
                spec.selectBy = shot
            case "baseline":
                guard let name = value.string else {
                    throw fail(key, "expected a configuration name, got \(describe(value))")
                }
                spec.baseline = name
            case "options":
                spec.options = try words(value) { fail(key, $0) }
            case "configs":
                guard let configs = value.table else {
                    throw fail(key, "expected a table [configs], got \(describe(value))")
                }
                for name in lines.ordered(configs.keys, in: key) {
                    let options = try words(configs[name]!) { fail(name, in: key, $0) }
                    let location = lines.line(of: name, in: key).map { "\(path):\($0)" } ?? path
                    try spec.addConfig(name, options, at: location)
                }
            case "grid":
                guard let grid = value.table else { throw fail(key, "expected a table [grid], got \(describe(value))") }
                for option in lines.ordered(grid.keys, in: key) {
                    guard let array = grid[option]!.array, !array.isEmpty,
                        let values = array.map(scalarText) as [String?] as? [String]
                    else {
                        throw fail(
                            option, in: key, "expected a list of values like [3, 5, 9], got \(describe(grid[option]!))")
                    }
                    spec.grid.append((option, values))
                }
            default:
                throw fail(
                    key,
                    "unknown key (a sweep file holds seeds, ranks_per_run, select_by, baseline, options, [configs], [grid])"
                )
            }
        }
        return spec
    }

    /// Options as a list of words: a string split like a shell line, or an array of strings.
    private static func words(_ value: TOMLValueConvertible, _ fail: (String) -> InputError) throws -> [String] {
        if let text = value.string {
            do { return try OptionWords.split(text) } catch { throw fail(error.message) }
        }
        if let array = value.array, let words = array.map(\.string) as [String?] as? [String] { return words }
        throw fail("expected train options as a string or a list of strings, got \(describe(value))")
    }

    /// A grid value as the option takes it: a string, an integer, a number or a yes/no switch.
    private static func scalarText(_ value: TOMLValueConvertible) -> String? {
        if let s = value.string { return s }
        if let b = value.bool { return b ? "yes" : "no" }
        if let i = value.int { return "\(i)" }
        if let d = value.double { return "\(d)" }
        return nil
    }

    private static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .table: return "a table"
        default: return "a date or time"
        }
    }
}

/// Where each key of a TOML text is written (TOMLKit's tables keep no positions and sort
/// their keys): `key = ...` lines under their `[section]`, for error messages and order.
private struct KeyLines {
    /// (section or nil, key, 1-based line)
    private var entries: [(String?, String, Int)] = []

    init(_ text: String) {
        var section: String?
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") && !line.hasPrefix("[[") {
                section = Self.unquote(String(line.dropFirst().prefix { $0 != "]" }))
                entries.append((nil, section!, i + 1))
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                entries.append((section, Self.unquote(String(line[..<equals])), i + 1))
            }
        }
    }

    private static func unquote(_ key: String) -> String {
        let k = key.trimmingCharacters(in: .whitespaces)
        if k.count >= 2, let first = k.first, first == k.last, first == "\"" || first == "'" {
            return String(k.dropFirst().dropLast())
        }
        return k
    }

    func line(of key: String, in section: String?) -> Int? {
        entries.first { $0.0 == section && $0.1 == key }?.2
    }

    /// `keys` in the order the text writes them (keys not found last, as given).
    func ordered(_ keys: [String], in section: String?) -> [String] {
        keys.sorted { (line(of: $0, in: section) ?? .max) < (line(of: $1, in: section) ?? .max) }
    }
}

/// Splits a line of options into words as a shell would for plain quoting: spaces
/// separate, '...' and "..." keep spaces, a backslash escapes the next character.
public enum OptionWords {
    public struct SplitError: Error {
        public let message: String
    }

    public static func split(_ text: String) throws(SplitError) -> [String] {
        var words = [String](), word = "", inWord = false, quote: Character?, escaped = false
        for c in text {
            if escaped {
                word.append(c)
                escaped = false
            } else if c == "\\" && quote != "'" {
                escaped = true
                inWord = true
            } else if let q = quote {
                if c == q { quote = nil } else { word.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c
                inWord = true
            } else if c.isWhitespace {
                if inWord { words.append(word) }
                (word, inWord) = ("", false)
            } else {
                word.append(c)
                inWord = true
            }
        }
        if quote != nil { throw SplitError(message: "an unclosed quote in '\(text)'") }
        if escaped { throw SplitError(message: "a backslash at the end of '\(text)'") }
        if inWord { words.append(word) }
        return words
    }
}
