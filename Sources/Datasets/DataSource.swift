// Where the train / validation / test splits come from, and how they are loaded:
// a folder, explicit files, the embedded Abalone set, or the synthetic generator.
import Foundation

/// The three splits of one data set.
public struct DatasetBundle {
    public let train: Split
    public let validation: Split
    public let test: Split
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

    public struct FileSplit: Codable, Sendable, Equatable {
        public var features: String
        public var labels: String?
        public init(features: String, labels: String? = nil) {
            self.features = features
            self.labels = labels
        }
    }

    /// Loads the three splits; `target` names the CSV label column.
    public func load(target: String) throws -> DatasetBundle {
        switch self {
        case .embeddedAbalone:
            return try Abalone.bundle()
        case .synthetic(let generator):
            return generator.bundle()
        case .files(let train, let validation, let test):
            return DatasetBundle(
                train: try Self.load(train, "train", target),
                validation: try Self.load(validation, "validation", target),
                test: try Self.load(test, "test", target))
        case .directory(let dir):
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
                throw InputError(dir, "is not a folder")
            }
            return DatasetBundle(
                train: try Self.load(Self.find(dir, ["train"]), "train", target),
                validation: try Self.load(Self.find(dir, ["val", "dev"]), "validation", target),
                test: try Self.load(Self.find(dir, ["test"]), "test", target))
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

    private static func load(_ file: FileSplit, _ split: String, _ target: String) throws -> Split {
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
            return Split(
                name: split, source: file.features, features: x, labels: y,
                featureNames: (0..<x.columns).map { "x\($0)" })
        }
        return try CSVFile.read(path: file.features, target: target, split: split)
    }
}

/// Loaded data by source, so that a process training many runs (a sweep) reads and
/// maps each data set once. Single-threaded use: ranks are processes.
public enum DataCache {
    nonisolated(unsafe) private static var bundles = [Data: DatasetBundle]()

    public static func bundle(_ source: DataSource, target: String) throws -> DatasetBundle {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let key = (try? encoder.encode(source)).map { $0 + Data(target.utf8) } ?? Data(target.utf8)
        if let cached = bundles[key] { return cached }
        let bundle = try source.load(target: target)
        bundles[key] = bundle
        return bundle
    }
}
