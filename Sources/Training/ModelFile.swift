// The trained model on disk: a magic header, the configuration as JSON, and the
// flat parameter buffer, written to a temporary file and renamed into place.
import Foundation
import DIR
import Datasets

/// `model.bin`: "DIRDMODL", UInt32 version, UInt32 JSON length, JSON configuration,
/// Int64 parameter count, Float32 parameters, then the FDS statistics: Int64 bins,
/// Int64 feature size (both 0 without FDS) and the statistics as Float64
/// (running mean, running variance, smoothed mean, smoothed variance, samples per bin).
/// All little-endian.
public enum ModelFile {
    static let magic = Array("DIRDMODL".utf8)
    static let version: UInt32 = 2

    public static func write(path: String, config: TrainingConfig, parameters: [Float],
                             featureStatistics: FeatureStatistics? = nil) throws {
        var bytes = magic
        append(&bytes, version)
        let json = try config.canonicalJSON()
        append(&bytes, UInt32(json.count))
        bytes += json
        append(&bytes, Int64(parameters.count))
        parameters.withUnsafeBytes { bytes += $0 }
        append(&bytes, Int64(featureStatistics?.binCount ?? 0))
        append(&bytes, Int64(featureStatistics?.featureSize ?? 0))
        featureStatistics?.flat.withUnsafeBytes { bytes += $0 }
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw InputError(path, "cannot write the model file")
        }
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
    }

    /// Reads the configuration, the parameters and the FDS statistics back.
    public static func read(path: String) throws -> (TrainingConfig, [Float], FeatureStatistics?) {
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
        let fdsStart = start + 4 * count
        guard b.count >= fdsStart + 16 else { throw InputError(path, "truncated model file") }
        let params = (0..<count).map { load(b, start + 4 * $0, Float.self) }
        let bins = Int(load(b, fdsStart, Int64.self)), size = Int(load(b, fdsStart + 8, Int64.self))
        guard bins > 0 else { return (config, params, nil) }
        let stats = FeatureStatistics(binCount: bins, featureSize: size)
        let n = 4 * bins * size + bins
        guard b.count == fdsStart + 16 + 8 * n else { throw InputError(path, "truncated model file") }
        stats.assign(flat: (0..<n).map { load(b, fdsStart + 16 + 8 * $0, Double.self) })
        return (config, params, stats)
    }

    private static func append<T>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value) { bytes += $0 }
    }

    private static func load<T>(_ b: [UInt8], _ offset: Int, _: T.Type) -> T {
        b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }
}
