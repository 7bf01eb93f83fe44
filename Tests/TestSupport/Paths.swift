// Where tests find the package, the golden files and fixtures (all inside the
// repository), and the built `dir-dist` binaries (next to the test bundle).
import Foundation

public enum Paths {
    /// The package root (this file is Tests/TestSupport/Paths.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The reference implementations' outputs and this repository's own reference cases.
    public static let repositoryGolden = packageRoot.appendingPathComponent("Tests/Golden")

    /// A golden file of the reference implementations: from `DIR_DIST_GOLDEN_DIR` when set
    /// (other reference outputs of the same format), else Tests/Golden.
    public static func golden(_ name: String) -> URL {
        if let dir = ProcessInfo.processInfo.environment["DIR_DIST_GOLDEN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir).appendingPathComponent(name)
        }
        return repositoryGolden.appendingPathComponent(name)
    }

    /// A compact real data set under Tests/Fixtures (Tests/Fixtures/README.md says how each was made).
    public static func fixture(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Tests/Fixtures").appendingPathComponent(name)
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

    /// This test process's folder for everything its tests write, removed when the
    /// process exits (the tests' temporary folders live inside it).
    public static let temporaryRoot: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dir-dist-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: Paths.temporaryRoot) }
        return url
    }()

    /// A new empty temporary folder (inside `temporaryRoot`, so it goes when the tests end).
    public static func temporaryDirectory(_ label: String) -> URL {
        let url = temporaryRoot.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Decodes a golden JSON file into `T`.
public func loadGolden<T: Decodable>(_ name: String, as _: T.Type) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(contentsOf: Paths.golden(name)))
}
