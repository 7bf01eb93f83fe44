// The trained model on disk: a magic header, the configuration as JSON, and the
// flat parameter buffer, written to a temporary file and renamed into place.
import Foundation
import Datasets

/// `model.bin`: "DIRDMODL", UInt32 version, UInt32 JSON length, JSON configuration,
/// Int64 parameter count, Float32 parameters (all little-endian).
public enum ModelFile {
    static let magic = Array("DIRDMODL".utf8)
    static let version: UInt32 = 1

    public static func write(path: String, config: TrainingConfig, parameters: [Float]) throws {
        var bytes = magic
        append(&bytes, version)
        let json = try config.canonicalJSON()
        append(&bytes, UInt32(json.count))
        bytes += json
        append(&bytes, Int64(parameters.count))
        parameters.withUnsafeBytes { bytes += $0 }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw InputError(path, "cannot write the model file")
        }
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }

    /// Reads the configuration and parameters back.
    public static func read(path: String) throws -> (TrainingConfig, [Float]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(path, "cannot read the model file")
        }
        let b = [UInt8](data)
        guard b.count >= 16, Array(b[0..<8]) == magic else { throw InputError(path, "not a dir-dist model file") }
        let jsonLength = Int(load(b, 12, UInt32.self))
        guard b.count >= 16 + jsonLength + 8 else { throw InputError(path, "truncated model file") }
        let config = try JSONDecoder().decode(TrainingConfig.self, from: Data(b[16..<(16 + jsonLength)]))
        let count = Int(load(b, 16 + jsonLength, Int64.self))
        let start = 24 + jsonLength
        guard b.count == start + 4 * count else { throw InputError(path, "truncated model file") }
        let params = (0..<count).map { load(b, start + 4 * $0, Float.self) }
        return (config, params)
    }

    private static func append<T>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value) { bytes += $0 }
    }

    private static func load<T>(_ b: [UInt8], _ offset: Int, _: T.Type) -> T {
        b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
