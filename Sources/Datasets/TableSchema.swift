// How raw table columns become model features, fitted on the training split: numeric
// columns (missing cells imputed with the training mean, plus a missing-indicator
// column) and categorical ones (one-hot over the training levels, or, past 64 levels, a
// level code the model embeds). Stored in model.bin so that `predict` encodes new rows
// as training did, by column name.
import Foundation

/// A table as read, before any column is decided numeric or categorical: every cell's
/// text per feature column, and the labels when the target column is present.
public struct RawTable {
    public let source: String
    public let names: [String]
    /// columns[j][i]: the trimmed text of row i in column j.
    public let columns: [[String]]
    public let labels: [Double]
    /// 1-based file line of each row, for messages.
    public let lines: [Int]

    public init(source: String, names: [String], columns: [[String]], labels: [Double], lines: [Int]) {
        self.source = source
        self.names = names
        self.columns = columns
        self.labels = labels
        self.lines = lines
    }

    public var rows: Int { lines.count }

    /// The rows `indices` (in that order) as a table of their own.
    public func subset(_ indices: [Int]) -> RawTable {
        RawTable(
            source: source, names: names, columns: columns.map { c in indices.map { c[$0] } },
            labels: indices.map { labels[$0] }, lines: indices.map { lines[$0] })
    }
}

public struct TableSchema: Codable, Sendable, Equatable {
    public enum Column: Codable, Sendable, Equatable {
        /// Numbers; `mean` fills a missing cell, and `indicator` adds a 0/1 column that says
        /// which cells were missing (when the training split had any).
        case numeric(name: String, mean: Double, indicator: Bool)
        /// One 0/1 column per level; with `other` (models of earlier versions), one more
        /// for the levels past the most frequent ones. A level not seen in training sets
        /// none of them.
        case categorical(name: String, levels: [String], other: Bool)
        /// Many levels: one column holding the level's code, 1 + its place in `levels`
        /// (0: a level not seen in training), which the model's learned embedding reads.
        /// Such columns come last among the features.
        case embedded(name: String, levels: [String])

        public var name: String {
            switch self {
            case .numeric(let name, _, _), .categorical(let name, _, _), .embedded(let name, _): return name
            }
        }

        var isEmbedded: Bool { if case .embedded = self { return true } else { return false } }
    }

    public var columns: [Column]

    /// Cells that mean "no value".
    public static let missingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "NULL", "null", "?"]
    /// The level a missing cell of a categorical column takes.
    public static let missingLevel = "(missing)"
    /// One-hot columns per categorical column at most; a column with more levels is
    /// embedded.
    public static let maxLevels = 64
    /// Levels an embedded column may have (codes stay exact in Float, tables sane).
    public static let maxEmbeddedLevels = 1 << 20

    public init(columns: [Column]) { self.columns = columns }

    /// The warning for rows whose level of some categorical column training never saw.
    public static func unseenLevels(_ rows: Int, in source: String) -> String {
        "\(source): \(rows) row(s) have a level not seen in training (encoded as unknown)"
    }

    /// The columns in feature order: the embedded ones last.
    private var featureOrder: [Column] { columns.filter { !$0.isEmbedded } + columns.filter(\.isEmbedded) }

    /// The encoded feature names: `x`, `x (missing)`, `color=green`, `color=(other)`,
    /// `zip (level code)`.
    public var featureNames: [String] {
        featureOrder.flatMap { column -> [String] in
            switch column {
            case .numeric(let name, _, let indicator): return indicator ? [name, "\(name) (missing)"] : [name]
            case .categorical(let name, let levels, let other):
                return levels.map { "\(name)=\($0)" } + (other ? ["\(name)=(other)"] : [])
            case .embedded(let name, _): return ["\(name) (level code)"]
            }
        }
    }

    public var width: Int { featureNames.count }

    /// Levels of each embedded column, in feature order (the last features).
    public var embeddedLevels: [Int] {
        featureOrder.compactMap { if case .embedded(_, let levels) = $0 { return levels.count } else { return nil } }
    }

    /// Whether the schema only copies numbers (no categorical, no imputation needed).
    public var isPlainNumeric: Bool {
        columns.allSatisfy { if case .numeric(_, _, false) = $0 { return true } else { return false } }
    }

    /// Fits the schema to the training table. `categorical` names columns to treat as
    /// categorical even when every cell is a number (integer codes). Returns warnings
    /// for columns that train on but carry little.
    public static func fit(_ table: RawTable, categorical: [String] = []) throws -> (TableSchema, [String]) {
        for name in categorical where !table.names.contains(name) {
            throw InputError(
                "--categorical",
                "no column '\(name)' in \(table.source) (columns: \(table.names.joined(separator: ", ")))")
        }
        var columns = [Column](), warnings = [String]()
        for (j, name) in table.names.enumerated() {
            let cells = table.columns[j]
            let present = cells.filter { !missingTokens.contains($0) }
            if present.isEmpty {
                throw InputError(table.source, "column '\(name)' is missing in every training row")
            }
            let numbers = categorical.contains(name) ? nil : present.map { Double($0) }
            if let numbers, numbers.allSatisfy({ $0 != nil }) {
                if let bad = numbers.firstIndex(where: { !$0!.isFinite }) {
                    let row = cells.firstIndex(of: present[bad])!
                    throw InputError(
                        file: table.source, line: table.lines[row],
                        "column '\(name)': value \(present[bad]) is not finite")
                }
                let mean = numbers.reduce(0) { $0 + $1! } / Double(numbers.count)
                columns.append(.numeric(name: name, mean: mean, indicator: present.count < cells.count))
                continue
            }
            var counts = [String: Int]()
            for cell in cells { counts[missingTokens.contains(cell) ? missingLevel : cell, default: 0] += 1 }
            let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map(\.key)
            if ranked.count == 1 {
                warnings.append(
                    "column '\(name)' has one level ('\(ranked[0])') in the training split: it carries nothing")
            }
            guard ranked.count > maxLevels else {
                columns.append(.categorical(name: name, levels: ranked, other: false))
                continue
            }
            guard ranked.count <= maxEmbeddedLevels else {
                throw InputError(
                    table.source,
                    "column '\(name)' has \(ranked.count) levels, more than the \(maxEmbeddedLevels) a learned "
                        + "embedding takes (an identifier? leave it out)")
            }
            if 2 * ranked.count > cells.count {
                warnings.append(
                    "column '\(name)' has \(ranked.count) levels in \(cells.count) training rows: each gets a "
                        + "learned embedding, but a level seen once or twice teaches it little (an identifier?)")
            }
            columns.append(.embedded(name: name, levels: ranked))
        }
        return (TableSchema(columns: columns), warnings)
    }

    /// A numeric-only schema for a matrix whose NaN cells are missing (`.npy` features).
    public static func fit(numeric x: FeatureMatrix, names: [String]) throws -> TableSchema {
        TableSchema(
            columns: try (0..<x.columns).map { j in
                var sum = 0.0, present = 0
                for i in 0..<x.rows where !x.value(i, j).isNaN {
                    sum += x.value(i, j)
                    present += 1
                }
                guard present > 0 else { throw InputError(names[j], "column is missing (NaN) in every training row") }
                return .numeric(name: names[j], mean: sum / Double(present), indicator: present < x.rows)
            })
    }

    /// The encoded features of `table`, its columns found by name (in any order; a column
    /// the schema does not know is refused, as it is likely a mistake), and how many rows
    /// had a categorical level not seen in training.
    public func encode(_ table: RawTable) throws -> (FeatureMatrix, unseenRows: Int) {
        let index = Dictionary(table.names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let known = Set(columns.map(\.name))
        if let extra = table.names.first(where: { !known.contains($0) }) {
            throw InputError(
                table.source,
                "column '\(extra)' is not one of the model's (\(columns.map(\.name).joined(separator: ", ")))")
        }
        let sources = try columns.map { column -> Int in
            guard let j = index[column.name] else {
                throw InputError(
                    table.source,
                    "no column '\(column.name)' (the model was trained with it; columns here: "
                        + "\(table.names.joined(separator: ", ")))")
            }
            return j
        }
        let width = self.width, rows = table.rows
        var values = [Float](repeating: 0, count: rows * width)
        var unseen = [Bool](repeating: false, count: rows)
        let source = Dictionary(zip(columns.map(\.name), sources), uniquingKeysWith: { a, _ in a })
        var offset = 0
        for column in featureOrder {
            let cells = table.columns[source[column.name]!]
            switch column {
            case .numeric(let name, let mean, let indicator):
                for i in 0..<rows {
                    let cell = cells[i]
                    if Self.missingTokens.contains(cell) {
                        values[i * width + offset] = Float(mean)
                        if indicator { values[i * width + offset + 1] = 1 }
                        continue
                    }
                    guard let v = Double(cell) else {
                        throw InputError(
                            file: table.source, line: table.lines[i],
                            "column '\(name)': '\(cell)' is not a number (the column is numeric in the training split)")
                    }
                    guard v.isFinite else {
                        throw InputError(
                            file: table.source, line: table.lines[i], "column '\(name)': value \(cell) is not finite")
                    }
                    values[i * width + offset] = Float(v)
                }
                offset += indicator ? 2 : 1
            case .categorical(_, let levels, let other):
                let position = Dictionary(levels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
                for i in 0..<rows {
                    let level = Self.missingTokens.contains(cells[i]) ? Self.missingLevel : cells[i]
                    if let k = position[level] {
                        values[i * width + offset + k] = 1
                    } else if other {
                        values[i * width + offset + levels.count] = 1
                    } else {
                        unseen[i] = true
                    }
                }
                offset += levels.count + (other ? 1 : 0)
            case .embedded(_, let levels):
                let position = Dictionary(levels.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
                for i in 0..<rows {
                    let level = Self.missingTokens.contains(cells[i]) ? Self.missingLevel : cells[i]
                    if let k = position[level] {
                        values[i * width + offset] = Float(k + 1)
                    } else {
                        unseen[i] = true
                    }
                }
                offset += 1
            }
        }
        return (FeatureMatrix(rows: rows, columns: width, values: values), unseen.filter { $0 }.count)
    }

    /// A matrix with NaN for missing cells, encoded (imputed, indicators added).
    public func encode(numeric x: FeatureMatrix, source: String) throws -> FeatureMatrix {
        guard x.columns == columns.count else {
            throw InputError(source, "\(x.columns) feature columns, but the model takes \(columns.count)")
        }
        let width = self.width
        var values = [Float](repeating: 0, count: x.rows * width)
        for i in 0..<x.rows {
            var offset = 0
            for (j, column) in columns.enumerated() {
                guard case .numeric(_, let mean, let indicator) = column else {
                    throw InputError(
                        source, "column \(j) is categorical ('\(column.name)'); a .npy array holds numbers only")
                }
                let v = x.value(i, j)
                if v.isNaN {
                    values[i * width + offset] = Float(mean)
                    if indicator { values[i * width + offset + 1] = 1 }
                } else {
                    guard v.isFinite else {
                        throw InputError(source, "row \(i), column \(j): feature value \(v) is not finite")
                    }
                    values[i * width + offset] = Float(v)
                }
                offset += indicator ? 2 : 1
            }
        }
        return FeatureMatrix(rows: x.rows, columns: width, values: values)
    }
}
