// Where tests find the package, the shared golden files and data sets, and the
// built `dir-dist` binaries (next to the test bundle).
import Foundation

public enum Paths {
    /// The package root (this file is Tests/TestSupport/Paths.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the checkout (CI provides it too).
    public static let shared = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// A golden file: from `DIR_DIST_GOLDEN_DIR` when set (other reference outputs), else `../shared/golden`.
    public static func golden(_ name: String) -> URL {
        if let dir = ProcessInfo.processInfo.environment["DIR_DIST_GOLDEN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir).appendingPathComponent(name)
        }
        return shared.appendingPathComponent("golden").appendingPathComponent(name)
    }

    public static func dataset(_ name: String) -> URL {
        shared.appendingPathComponent("datasets").appendingPathComponent(name)
    }

    /// The folder holding the test bundle and the products built with it.
    public static let binaries: URL = {
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }()

    public static func binary(_ name: String) -> String {
        binaries.appendingPathComponent(name).path
    }

    /// A new empty temporary folder.
    public static func temporaryDirectory(_ label: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dir-dist-tests-\(label)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Decodes a golden JSON file into `T`.
public func loadGolden<T: Decodable>(_ name: String, as _: T.Type) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(contentsOf: Paths.golden(name)))
}
