// Reads numeric CSV tables: a header row, then one sample per row; the target
// column is chosen by name and every other column is a feature.
import Foundation

/// One split's features and labels (labels in double precision, for binning).
public struct Split {
    public let name: String
    /// Where it came from, for messages (a path or `<embedded abalone>`).
    public let source: String
    public let features: FeatureMatrix
    public let labels: [Double]
    public let featureNames: [String]

    public init(
        name: String, source: String, features: FeatureMatrix, labels: [Double],
        featureNames: [String]
    ) {
        self.name = name
        self.source = source
        self.features = features
        self.labels = labels
        self.featureNames = featureNames
    }

    public var count: Int { labels.count }
}

public enum CSVFile {
    public static func read(path: String, target: String, split: String) throws -> Split {
        try parse(text(path), source: path, target: target, split: split)
    }

    /// Features only (for prediction): every column but `target`, which may be absent.
    public static func features(path: String, target: String) throws -> (FeatureMatrix, [String]) {
        let s = try parse(text(path), source: path, target: target, split: "input", targetRequired: false)
        return (s.features, s.featureNames)
    }

    private static func text(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                throw InputError(path, isDir.boolValue ? "is a directory, not a CSV file" : "cannot read the file")
            }
            throw InputError(path, "no such file")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses CSV text; `source` names it in messages. Without `targetRequired` a missing
    /// target column means features only (and no labels).
    public static func parse(
        _ text: String, source: String, target: String, split: String, targetRequired: Bool = true
    ) throws -> Split {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let last = lines.last, last.isEmpty { lines.removeLast() }
        guard let headerLine = lines.first else { throw InputError(source, "file is empty (need a header row)") }
        let header = fields(headerLine)
        let targetColumn = header.firstIndex(of: target) ?? (targetRequired ? nil : -1)
        guard let targetColumn else {
            throw InputError(
                file: source, line: 1,
                "no target column '\(target)' (columns: \(header.joined(separator: ", ")); choose one with --target)")
        }
        let width = header.count
        var features = [Float]()
        var labels = [Double]()
        var rows = 0
        let featureWidth = targetColumn >= 0 ? width - 1 : width
        features.reserveCapacity((lines.count - 1) * featureWidth)
        for (i, line) in lines.enumerated().dropFirst() {
            let lineNumber = i + 1
            let row = fields(line)
            if row.count == 1 && row[0].isEmpty { continue }
            guard row.count == width else {
                throw InputError(file: source, line: lineNumber, "expected \(width) fields, found \(row.count)")
            }
            for (j, field) in row.enumerated() {
                guard let v = Double(field) else {
                    throw InputError(
                        file: source, line: lineNumber,
                        "column '\(header[j])': '\(field)' is not a number")
                }
                guard v.isFinite else {
                    throw InputError(
                        file: source, line: lineNumber,
                        "column '\(header[j])': value \(field) is not finite")
                }
                if j == targetColumn { labels.append(v) } else { features.append(Float(v)) }
            }
            rows += 1
        }
        guard rows > 0 else { throw InputError(source, "the \(split) split has no rows") }
        var names = header
        if targetColumn >= 0 { names.remove(at: targetColumn) }
        return Split(
            name: split, source: source,
            features: FeatureMatrix(rows: rows, columns: featureWidth, values: features),
            labels: labels, featureNames: names)
    }

    private static func fields(_ line: Substring) -> [String] {
        var l = line
        if l.last == "\r" { l.removeLast() }
        return l.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingSpaces.trimming("\"")
        }
    }
}
