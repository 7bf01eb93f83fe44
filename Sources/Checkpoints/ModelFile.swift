// The trained model on disk: a magic header, the configuration as JSON, the flat
// parameter buffer and the FDS statistics; little-endian, written atomically.
import DIR
import Settings

/// `model.bin`: "DIRDMODL", UInt32 version, UInt32 JSON length, JSON configuration,
/// Int64 parameter count, Float32 parameters, then the FDS statistics: Int64 bins,
/// Int64 feature size (both 0 without FDS) and the statistics as Float64
/// (running mean, running variance, smoothed mean, smoothed variance, samples per bin).
/// All little-endian.
public enum ModelFile {
    static let magic = Array("DIRDMODL".utf8)
    /// 3: the configuration JSON is `{"execution":…,"recipe":…}`.
    static let version: UInt32 = 3

    public static func write(
        path: String, config: TrainingConfig, parameters: [Float],
        featureStatistics: FeatureStatistics? = nil
    ) throws {
        var file = ByteWriter()
        file.append(raw: magic)
        file.append(version)
        let json = Array(try config.canonicalJSON())
        file.append(UInt32(json.count))
        file.append(raw: json)
        file.append(parameters)
        file.append(Int64(featureStatistics?.binCount ?? 0))
        file.append(Int64(featureStatistics?.featureSize ?? 0))
        for x in featureStatistics?.flat ?? [] { file.append(x) }
        try ResultFile.writeAtomically(file.bytes, to: path)
    }
}
