// Reads CSV tables: a header row, then one sample per row; the target column is chosen
// by name and every other column is a feature. Fields follow RFC 4180: a field in double
// quotes may hold commas, line breaks and doubled quotes (what pandas and spreadsheets
// write for text with commas); unquoted fields are trimmed of spaces.
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
    /// A split of a CSV file encoded with its own schema (all columns numeric or
    /// categorical as its cells say): the embedded data set and tests.
    public static func parse(_ text: String, source: String, target: String, split: String) throws -> Split {
        let raw = try table(text, source: source, target: target, split: split)
        let (schema, _) = try TableSchema.fit(raw)
        return try Split.encoding(raw, name: split, schema: schema).split
    }

    /// The table of the CSV file at `path`: every feature cell's text, the labels.
    public static func table(path: String, target: String, split: String, targetRequired: Bool = true) throws
        -> RawTable
    {
        try table(text(path), source: path, target: target, split: split, targetRequired: targetRequired)
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
    /// target column means features only (and no labels). Labels must be finite numbers.
    public static func table(
        _ text: String, source: String, target: String, split: String, targetRequired: Bool = true
    ) throws -> RawTable {
        let records = try CSVRecords.parse(text, source: source)
        guard let headerRecord = records.first else { throw InputError(source, "file is empty (need a header row)") }
        let header = headerRecord.fields
        let targetColumn = header.firstIndex(of: target) ?? (targetRequired ? nil : -1)
        guard let targetColumn else {
            throw InputError(
                file: source, line: 1,
                "no target column '\(target)' (columns: \(header.joined(separator: ", ")); choose one with --target)")
        }
        var seen = Set<String>()
        for name in header where !seen.insert(name).inserted {
            throw InputError(file: source, line: 1, "column '\(name)' appears twice in the header")
        }
        let width = header.count
        var names = header
        if targetColumn >= 0 { names.remove(at: targetColumn) }
        var columns = [[String]](repeating: [], count: names.count)
        var labels = [Double](), rowLines = [Int]()
        for record in records.dropFirst() {
            let (lineNumber, row) = (record.line, record.fields)
            // A blank line is no row; a quoted empty field ("") is a row with a missing cell.
            if record.isBlank { continue }
            guard row.count == width else {
                throw InputError(file: source, line: lineNumber, "expected \(width) fields, found \(row.count)")
            }
            for (j, field) in row.enumerated() {
                guard j == targetColumn else {
                    columns[j < targetColumn || targetColumn < 0 ? j : j - 1].append(field)
                    continue
                }
                guard let v = Double(field) else {
                    throw InputError(
                        file: source, line: lineNumber,
                        "column '\(header[j])': '\(field)' is not a number (the target needs one in every row)")
                }
                guard v.isFinite else {
                    throw InputError(
                        file: source, line: lineNumber, "column '\(header[j])': value \(field) is not finite")
                }
                labels.append(v)
            }
            rowLines.append(lineNumber)
        }
        guard !rowLines.isEmpty else { throw InputError(source, "the \(split) split has no rows") }
        return RawTable(source: source, names: names, columns: columns, labels: labels, lines: rowLines)
    }

}

/// The records of CSV text (RFC 4180), each with the line it starts on.
enum CSVRecords {
    struct Record {
        let line: Int
        let fields: [String]
        /// Nothing at all on the line (not even quotes).
        let isBlank: Bool
    }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    static func parse(_ text: String, source: String) throws -> [Record] {
        var records = [Record]()
        var fields = [String](), field = [UInt8]()
        var inQuotes = false, fieldQuoted = false, recordHasContent = false
        var line = 1, recordLine = 1
        func endField() {
            if !fieldQuoted, field.last == carriageReturn { field.removeLast() }
            let text = String(decoding: field, as: UTF8.self)
            fields.append(fieldQuoted ? text : text.trimmingSpaces)
            field.removeAll(keepingCapacity: true)
            fieldQuoted = false
        }
        func endRecord() {
            endField()
            records.append(Record(line: recordLine, fields: fields, isBlank: !recordHasContent && fields == [""]))
            fields.removeAll(keepingCapacity: true)
            recordHasContent = false
        }
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if inQuotes {
                if b == quote {
                    // "" inside quotes is one quote; a lone quote closes the field.
                    if i < bytes.count && bytes[i] == quote {
                        field.append(quote)
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if b == newline { line += 1 }
                    field.append(b)
                }
                continue
            }
            switch b {
            case quote where !fieldQuoted && field.allSatisfy({ $0 == 32 || $0 == 9 }):
                // An opening quote (after spaces at most): the field is quoted.
                field.removeAll(keepingCapacity: true)
                (inQuotes, fieldQuoted, recordHasContent) = (true, true, true)
            case comma:
                recordHasContent = true
                endField()
            case newline:
                if field.last == carriageReturn && fieldQuoted { field.removeLast() }
                endRecord()
                line += 1
                recordLine = line
            default:
                if b != carriageReturn { recordHasContent = true }
                field.append(b)
            }
        }
        if inQuotes { throw InputError(file: source, line: recordLine, "a quoted field is not closed") }
        if recordHasContent || !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}

extension Split {
    /// A table's rows encoded with `schema`, and how many rows had a level not seen in training.
    public static func encoding(_ raw: RawTable, name: String, schema: TableSchema) throws
        -> (split: Split, unseenRows: Int)
    {
        let (features, unseen) = try schema.encode(raw)
        let split = Split(
            name: name, source: raw.source, features: features, labels: raw.labels, featureNames: schema.featureNames)
        return (split, unseen)
    }
}
