// A launch script that builds something for a test (hosts, a Slurm cluster) in a folder
// of its own with `up FOLDER ...` and removes it with `down FOLDER`.
import Foundation
import XCTest

public final class HarnessScript: Sendable {
    public let script: String
    public let directory: URL

    /// `launch/NAME`, working in a new temporary folder labelled `label`.
    public init(_ name: String, label: String) {
        script = Paths.packageRoot.appendingPathComponent("launch/\(name)").path
        directory = Paths.temporaryDirectory(label)
    }

    /// `up FOLDER arguments...`; on failure tears down what was started and throws.
    public func up(_ arguments: [String] = [], environment: [String: String] = [:]) throws {
        let result = Subprocess.run(script, ["up", directory.path] + arguments, timeout: 60, environment: environment)
        guard result.status == 0 else {
            _ = Subprocess.run(script, ["down", directory.path], timeout: 60)
            throw HarnessError(message: "\(script) up failed: \(result.stdout)\(result.stderr)")
        }
    }

    /// `down FOLDER` (the folder stays until this object goes, for another `up`).
    public func down() {
        let result = Subprocess.run(script, ["down", directory.path], timeout: 60)
        XCTAssertEqual(result.status, 0, "\(script) down: \(result.stderr)")
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// What a test needs could not be built (a test that throws it fails).
public struct HarnessError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
