// Checkpoints (docs/protocol.md §1): everything needed to continue a run exactly — the
// configuration and data it belongs to, position, parameters, optimizer state,
// FDS statistics, model selection — with a magic header and a checksum.
import Fingerprints
import Foundation

/// File layout: "DIRDCKPT", UInt32 version, UInt64 payload length, payload, and the
/// 32-byte SHA-256 of everything before it. The payload is written by `encode` in
/// field order; all numbers little-endian.
public struct Checkpoint {
    static let magic = Array("DIRDCKPT".utf8)
    /// 3: the label prior of Balanced MSE (2: without it; read as empty; 1 had a
    /// 64-bit FNV-1a checksum).
    static let version: UInt32 = 3
    static let checksumSize = 32

    /// Canonical JSON of the training identity (see `TrainingConfig.identity`).
    public var identity: [UInt8]
    public var dataFingerprint: UInt64
    /// Hash of the per-bin LDS weights the run trains with.
    public var weightsFingerprint: UInt64
    /// Completed epochs, and the next step within the current epoch.
    public var epoch: Int
    public var step: Int
    /// Global Σ w·l of the current epoch's completed steps.
    public var epochLossSum: Double
    public var seed: UInt64
    public var parameters: [Float]
    public var optimizerSteps: Int
    public var optimizerState: [[Float]]
    /// FDS statistics (`FeatureStatistics.flat`), empty without FDS.
    public var featureStatistics: [Double]
    /// Model selection: best epoch so far, its validation MAE and parameters (may be empty).
    public var bestEpoch: Int
    public var bestMAE: Double
    public var bestParameters: [Float]
    /// FDS online pass: the epoch's per-bin sums so far, over all ranks (empty otherwise).
    public var fdsPartialSums: [Double]
    /// Balanced MSE's label prior in the target's units (GAI's mixture, BNI's buckets) as
    /// means, then variances, then weights; empty otherwise.
    public var labelPrior: [Double] = []

    public init(
        identity: [UInt8], dataFingerprint: UInt64, weightsFingerprint: UInt64, epoch: Int, step: Int,
        epochLossSum: Double, seed: UInt64, parameters: [Float], optimizerSteps: Int, optimizerState: [[Float]],
        featureStatistics: [Double], bestEpoch: Int, bestMAE: Double, bestParameters: [Float], fdsPartialSums: [Double]
    ) {
        self.identity = identity
        self.dataFingerprint = dataFingerprint
        self.weightsFingerprint = weightsFingerprint
        self.epoch = epoch
        self.step = step
        self.epochLossSum = epochLossSum
        self.seed = seed
        self.parameters = parameters
        self.optimizerSteps = optimizerSteps
        self.optimizerState = optimizerState
        self.featureStatistics = featureStatistics
        self.bestEpoch = bestEpoch
        self.bestMAE = bestMAE
        self.bestParameters = bestParameters
        self.fdsPartialSums = fdsPartialSums
    }

    public func encode() -> [UInt8] {
        var p = ByteWriter()
        p.append(identity)
        p.append(dataFingerprint)
        p.append(weightsFingerprint)
        p.append(Int64(epoch))
        p.append(Int64(step))
        p.append(epochLossSum)
        p.append(seed)
        p.append(parameters)
        p.append(Int64(optimizerSteps))
        p.append(UInt64(optimizerState.count))
        for s in optimizerState { p.append(s) }
        p.append(featureStatistics)
        p.append(Int64(bestEpoch))
        p.append(bestMAE)
        p.append(bestParameters)
        p.append(fdsPartialSums)
        p.append(labelPrior)
        var file = ByteWriter()
        for b in Self.magic { file.append(b) }
        file.append(Self.version)
        file.append(UInt64(p.bytes.count))
        let out = file.bytes + p.bytes
        return out + Fingerprint.sha256(out)
    }

    /// Decodes and verifies a checkpoint file's bytes; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        guard bytes.count >= 20, Array(bytes[0..<8]) == magic else {
            throw CheckpointError(path, "not a dir-dist checkpoint (bad magic)")
        }
        var header = ByteReader(Array(bytes[8..<20]))
        let version = try header.read(UInt32.self)
        guard version == Self.version || version == 2 else {
            throw CheckpointError(
                path, "unsupported checkpoint version \(version) (this dir-dist reads \(Self.version))")
        }
        let length = Int(clamping: try header.read(UInt64.self))
        guard length <= bytes.count, bytes.count >= 20 + length + checksumSize else {
            throw CheckpointError(path, "truncated checkpoint: \(bytes.count) bytes, header promises \(length) + 52")
        }
        let size = 20 + length + checksumSize
        guard bytes.count == size else {
            throw CheckpointError(path, "corrupt checkpoint: \(bytes.count - size) unexpected trailing bytes")
        }
        guard Fingerprint.sha256(bytes[0..<(20 + length)]) == Array(bytes[(20 + length)...]) else {
            throw CheckpointError(path, "corrupt checkpoint: checksum mismatch")
        }
        do {
            var r = ByteReader(Array(bytes[20..<(20 + length)]))
            var c = Checkpoint(
                identity: try r.readBytes(), dataFingerprint: try r.read(UInt64.self),
                weightsFingerprint: try r.read(UInt64.self), epoch: Int(try r.read(Int64.self)),
                step: Int(try r.read(Int64.self)), epochLossSum: try r.readDouble(),
                seed: try r.read(UInt64.self), parameters: try r.readFloats(),
                optimizerSteps: Int(try r.read(Int64.self)), optimizerState: [],
                featureStatistics: [], bestEpoch: 0, bestMAE: .infinity, bestParameters: [],
                fdsPartialSums: [])
            let buffers = try r.read(UInt64.self)
            guard buffers <= 8 else { throw ByteReader.Truncated() }
            for _ in 0..<buffers { c.optimizerState.append(try r.readFloats()) }
            c.featureStatistics = try r.readDoubles()
            c.bestEpoch = Int(try r.read(Int64.self))
            c.bestMAE = try r.readDouble()
            c.bestParameters = try r.readFloats()
            c.fdsPartialSums = try r.readDoubles()
            if version >= 3 { c.labelPrior = try r.readDoubles() }
            guard r.remaining == 0 else {
                throw CheckpointError(path, "corrupt checkpoint: \(r.remaining) unread bytes")
            }
            return c
        } catch is ByteReader.Truncated {
            throw CheckpointError(path, "corrupt checkpoint: a field runs past the end")
        }
    }
}

/// A checkpoint that cannot be used; printed as `error: <path>: <what>` (status 2).
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let message: String
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "error: \(path): \(message)" }
}
