// The trained model on disk: a magic header, the configuration as JSON, and the
// flat parameter buffer, written to a temporary file and renamed into place.
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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
        // rename(2) replaces an existing file atomically.
        guard rename(temporary, path) == 0 else { throw InputError(path, "cannot rename the model file into place") }
    }

    private static func append<T>(_ bytes: inout [UInt8], _ value: T) {
        withUnsafeBytes(of: value) { bytes += $0 }
    }
}
