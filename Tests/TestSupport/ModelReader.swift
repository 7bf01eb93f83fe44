// Reads what a `dir-dist train --out DIR` run left behind: the final parameters
// (model.bin) and the JSON lines of metrics.jsonl.
import Foundation

public struct RunOutput {
    public let directory: URL

    public init(_ directory: URL) { self.directory = directory }

    /// The Float32 parameters at the end of model.bin.
    public func parameters() throws -> [Float] {
        let b = [UInt8](try Data(contentsOf: directory.appendingPathComponent("model.bin")))
        let jsonLength = Int(b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 12, as: UInt32.self) })
        let count = Int(b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16 + jsonLength, as: Int64.self) })
        let start = 24 + jsonLength
        return (0..<count).map { i in
            b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start + 4 * i, as: Float.self) }
        }
    }

    /// The FDS statistics section of model.bin (empty without FDS): running mean,
    /// running variance, smoothed mean, smoothed variance, samples per bin.
    public func featureStatistics() throws -> [Double] {
        let b = [UInt8](try Data(contentsOf: directory.appendingPathComponent("model.bin")))
        func load<T>(_ offset: Int, _: T.Type) -> T {
            b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        }
        let jsonLength = Int(load(12, UInt32.self))
        let count = Int(load(16 + jsonLength, Int64.self))
        let start = 24 + jsonLength + 4 * count
        let bins = Int(load(start, Int64.self)), size = Int(load(start + 8, Int64.self))
        return (0..<(4 * bins * size + bins)).map { load(start + 16 + 8 * $0, Double.self) }
    }

    /// Each line of metrics.jsonl as a dictionary.
    public func metrics() throws -> [[String: Any]] {
        let text = try String(contentsOf: directory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        return try text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// test.all.<key> of the final test event.
    public func testMetric(_ shot: String = "all", _ key: String) throws -> Double? {
        let test = try metrics().last { $0["event"] as? String == "test" }
        let split = test?["test"] as? [String: Any]
        return (split?[shot] as? [String: Any])?[key] as? Double
    }
}
