// The trained model on disk, self-contained for prediction: a magic header, a JSON
// description (configuration, feature columns and scaling, target scaling, bins), the
// flat parameter buffer and the FDS statistics; little-endian, written atomically.
import DIR
import Datasets
import Foundation
import Settings
import Storage

/// What `dir-dist predict` needs besides the parameters.
public struct ModelDescription: Codable, Sendable, Equatable {
    /// The configuration of the run that trained the model (architecture: `recipe.architecture`).
    public var config: TrainingConfig
    /// Feature columns in input order; `namedColumns` when they came from a CSV header
    /// (inputs must then use the same names), else generic `x0`, `x1`, ….
    public var featureNames: [String]
    public var namedColumns: Bool
    /// x' = (x − featureMean) · featureInvStd.
    public var featureMean: [Float]
    public var featureInvStd: [Float]
    /// Predictions in the user's units: ŷ · targetStd + targetMean.
    public var targetMean: Double
    public var targetStd: Double
    /// The label bins of the training run.
    public var binning: Binning
    /// Balanced MSE: the learnt noise scale σ and the label prior (GAI, BNI), in the
    /// target's units; nil otherwise. Not needed to predict; recorded for the user.
    public var noiseSigma: Double?
    public var labelPrior: LabelPrior?
    /// How table columns become features (CSV training data, or `.npy` with NaN cells).
    public var schema: TableSchema?
    /// The piecewise-linear encoding's bin edges per feature (with that embedding).
    public var binEdges: [[Float]]?

    public init(
        config: TrainingConfig, featureNames: [String], namedColumns: Bool, featureMean: [Float],
        featureInvStd: [Float], targetMean: Double, targetStd: Double, binning: Binning
    ) {
        self.config = config
        self.featureNames = featureNames
        self.namedColumns = namedColumns
        self.featureMean = featureMean
        self.featureInvStd = featureInvStd
        self.targetMean = targetMean
        self.targetStd = targetStd
        self.binning = binning
    }

    public var featureCount: Int { featureMean.count }
}

/// `model.bin`: "DIRDMODL", UInt32 version, UInt32 JSON length, the JSON description,
/// UInt64 parameter count, Float32 parameters, then the FDS statistics: Int64 bins,
/// Int64 feature size (both 0 without FDS) and the statistics as Float64 (running mean,
/// running variance, smoothed mean, smoothed variance, samples per bin). All little-endian.
public enum ModelFile {
    static let magic = Array("DIRDMODL".utf8)
    /// 4: the JSON is a `ModelDescription` (3: the configuration alone, no scaling).
    public static let version: UInt32 = 4

    public static func write(
        path: String, description: ModelDescription, parameters: [Float], featureStatistics: FeatureStatistics? = nil
    ) throws {
        var file = ByteWriter()
        file.append(raw: magic)
        file.append(version)
        let json = Array(try Canonical.json(description))
        file.append(UInt32(json.count))
        file.append(raw: json)
        file.append(parameters)
        file.append(Int64(featureStatistics?.binCount ?? 0))
        file.append(Int64(featureStatistics?.featureSize ?? 0))
        for x in featureStatistics?.flat ?? [] { file.append(x) }
        try ResultFile.writeAtomically(file.bytes, to: path)
    }

    /// The description and parameters of a model file; a file that is not one, of
    /// another version, or cut short is an `InputError` naming it.
    public static func read(path: String) throws -> (ModelDescription, [Float]) {
        try read(bytes: try CheckpointStore.read(path, what: "model"), path: path)
    }

    /// The same from the file's bytes (`path` names it in messages).
    public static func read(bytes: [UInt8], path: String) throws -> (ModelDescription, [Float]) {
        guard bytes.count >= 12, Array(bytes[0..<8]) == magic else {
            throw InputError(path, "not a dir-dist model file (bad magic)")
        }
        var r = ByteReader(Array(bytes[8...]))
        do {
            let version = try r.read(UInt32.self)
            guard version == Self.version else {
                throw InputError(path, "model format version \(version); this dir-dist reads version \(Self.version)")
            }
            let length = Int(try r.read(UInt32.self))
            guard length <= r.remaining else { throw ByteReader.Truncated() }
            let json = try r.readRaw(length)
            let description = try Canonical.decoder.decode(ModelDescription.self, from: Data(json))
            let parameters = try r.readFloats()
            // The FDS statistics are not needed to predict, but a file cut short is refused.
            let bins = try r.read(Int64.self), size = try r.read(Int64.self)
            // Sizes from the file: checked without overflow before they meet the length.
            let perBin = size.multipliedReportingOverflow(by: 4)
            let values = bins.multipliedReportingOverflow(by: perBin.partialValue &+ 1)
            guard bins >= 0, size >= 0, size < Int64(Int32.max), !perBin.overflow, !values.overflow,
                values.partialValue <= Int64(r.remaining / 8), r.remaining == 8 * Int(values.partialValue)
            else {
                throw ByteReader.Truncated()
            }
            return (description, parameters)
        } catch is ByteReader.Truncated {
            throw InputError(path, "truncated model file (\(bytes.count) bytes)")
        } catch is DecodingError {
            throw InputError(path, "unreadable model description")
        }
    }
}
