// Where the train / validation / test splits come from, and how they are loaded:
// a folder, explicit files, the embedded Abalone set, or the synthetic generator.
import Foundation

/// The three splits of one data set.
public struct DatasetBundle {
    public let train: Split
    public let validation: Split
    public let test: Split
    /// How table columns became features (CSV files, and `.npy` files with NaN cells).
    public var schema: TableSchema?
    /// What the user should know about the columns (one level, many levels, unseen levels).
    public var warnings: [String] = []
    /// For a table split by dir-dist: each row's split (0 train, 1 validation, 2 test).
    public var rowSplits: [UInt8]?

    public init(train: Split, validation: Split, test: Split, schema: TableSchema? = nil, warnings: [String] = []) {
        self.train = train
        self.validation = validation
        self.test = test
        self.schema = schema
        self.warnings = warnings
    }

    public var splits: [Split] { [train, validation, test] }
}

public enum DataSource: Codable, Sendable, Equatable {
    /// The Abalone set compiled into the program (DIR-style split, see `Abalone`).
    case embeddedAbalone
    /// A folder with `train`, `val` or `dev`, and `test` as `NAME.csv` or `NAME_X.npy` + `NAME_y.npy`.
    case directory(String)
    /// Explicit files: CSV, or `.npy` features with a `.npy` label file each.
    case files(train: FileSplit, validation: FileSplit, test: FileSplit)
    /// The synthetic long-tailed generator (`Synthetic`).
    case synthetic(Synthetic)
    /// One CSV file split into train, validation and test rows by `split`.
    case table(String, split: RowSplit)

    public struct FileSplit: Codable, Sendable, Equatable {
        public var features: String
        public var labels: String?
        public init(features: String, labels: String? = nil) {
            self.features = features
            self.labels = labels
        }
    }

    /// Loads the three splits; `target` names the CSV label column, `categorical` the
    /// columns to one-hot even when they hold numbers.
    public func load(target: String, categorical: [String] = []) throws -> DatasetBundle {
        switch self {
        case .embeddedAbalone:
            return try Abalone.bundle()
        case .synthetic(let generator):
            return generator.bundle()
        case .files(let train, let validation, let test):
            return try Self.load([train, validation, test], target: target, categorical: categorical)
        case .table(let path, let split):
            let all = try CSVFile.table(path: path, target: target, split: "data")
            let parts = split.assign(all.labels)
            for (rows, name) in zip(parts, Self.splitNames) where rows.isEmpty {
                throw InputError(
                    "--split", "the \(name) split of \(path) would be empty (\(all.rows) rows); give larger fractions")
            }
            var bundle = try Self.load(parts.map { .table(all.subset($0)) }, categorical: categorical)
            var assignment = [UInt8](repeating: 0, count: all.rows)
            for (k, rows) in parts.enumerated() { for i in rows { assignment[i] = UInt8(k) } }
            bundle.rowSplits = assignment
            return bundle
        case .directory(let dir):
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw InputError(dir, "is not a folder")
            }
            return try Self.load(
                [Self.find(dir, ["train"]), Self.find(dir, ["val", "dev"]), Self.find(dir, ["test"])], target: target,
                categorical: categorical)
        }
    }

    private static func find(_ dir: String, _ names: [String]) throws -> FileSplit {
        let fm = FileManager.default
        for name in names {
            let csv = "\(dir)/\(name).csv"
            if fm.fileExists(atPath: csv) { return FileSplit(features: csv) }
            let x = "\(dir)/\(name)_X.npy"
            if fm.fileExists(atPath: x) { return FileSplit(features: x, labels: "\(dir)/\(name)_y.npy") }
        }
        let tried = names.map { "\($0).csv or \($0)_X.npy" }.joined(separator: ", ")
        throw InputError(dir, "no \(names[0]) split (looked for \(tried))")
    }

    static let splitNames = ["train", "validation", "test"]

    /// A split as read: a CSV table, or `.npy` features (NaN: missing) with their labels.
    private enum Loaded {
        case table(RawTable)
        case matrix(FeatureMatrix, [Double], source: String)
    }

    /// Train, validation and test files: the schema is fitted on the training split and
    /// encodes all three.
    private static func load(_ files: [FileSplit], target: String, categorical: [String]) throws -> DatasetBundle {
        try load(zip(files, splitNames).map { try load($0, $1, target) }, categorical: categorical)
    }

    private static func load(_ loaded: [Loaded], categorical: [String]) throws -> DatasetBundle {
        var warnings = [String]()
        let schema: TableSchema?
        switch loaded[0] {
        case .table(let raw):
            if raw.names.isEmpty { throw InputError(raw.source, "no feature columns besides the target") }
            let (fitted, notes) = try TableSchema.fit(raw, categorical: categorical)
            (schema, warnings) = (fitted, notes)
        case .matrix(let x, _, let source):
            if !categorical.isEmpty {
                throw InputError("--categorical", "needs CSV files (\(source) is a .npy array of numbers)")
            }
            let missing = loaded.contains {
                if case .matrix(let m, _, _) = $0 { return m.hasNaN } else { return false }
            }
            schema = missing ? try TableSchema.fit(numeric: x, names: Self.columnNames(x)) : nil
        }
        let splits = try zip(loaded, splitNames).map { item, name -> Split in
            switch item {
            case .table(let raw):
                guard let schema else {
                    throw InputError(raw.source, "a CSV split needs a CSV training split (the training split is .npy)")
                }
                let (split, unseen) = try Split.encoding(raw, name: name, schema: schema)
                if unseen > 0 { warnings.append(TableSchema.unseenLevels(unseen, in: raw.source)) }
                return split
            case .matrix(let x, let labels, let source):
                let features = try schema.map { try $0.encode(numeric: x, source: source) } ?? x
                return Split(
                    name: name, source: source, features: features, labels: labels,
                    featureNames: schema?.featureNames ?? Self.columnNames(x))
            }
        }
        return DatasetBundle(
            train: splits[0], validation: splits[1], test: splits[2], schema: schema, warnings: warnings)
    }

    /// The names of a `.npy` array's columns: x0, x1, ….
    private static func columnNames(_ x: FeatureMatrix) -> [String] { (0..<x.columns).map { "x\($0)" } }

    private static func load(_ file: FileSplit, _ split: String, _ target: String) throws -> Loaded {
        if file.features.hasSuffix(".npy") {
            guard let labelPath = file.labels else {
                throw InputError(
                    file.features,
                    "a .npy feature file needs its label file (--\(split == "validation" ? "val" : split)-y)")
            }
            let x = try NumpyFile.features(path: file.features)
            let y = try NumpyFile.labels(path: labelPath)
            guard x.rows == y.count else {
                throw InputError(labelPath, "\(y.count) labels for \(x.rows) feature rows in \(file.features)")
            }
            guard x.rows > 0 else { throw InputError(file.features, "the \(split) split has no rows") }
            if let bad = y.firstIndex(where: { !$0.isFinite }) {
                throw InputError(labelPath, "label \(bad) is not finite (\(y[bad]))")
            }
            return .matrix(x, y, source: file.features)
        }
        return .table(try CSVFile.table(path: file.features, target: target, split: split))
    }
}

/// Loaded data by source, so that a process training many runs (a sweep) reads and
/// maps each data set once. Single-threaded use: ranks are processes.
public enum DataCache {
    nonisolated(unsafe) private static var bundles = [Data: DatasetBundle]()

    public static func bundle(_ source: DataSource, target: String, categorical: [String] = []) throws
        -> DatasetBundle
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let options = Data((target + "\u{0}" + categorical.joined(separator: "\u{0}")).utf8)
        let key = (try? encoder.encode(source)).map { $0 + options } ?? options
        if let cached = bundles[key] { return cached }
        let bundle = try source.load(target: target, categorical: categorical)
        bundles[key] = bundle
        return bundle
    }
}
