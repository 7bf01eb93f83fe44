// Checkpoints (DESIGN §6): everything needed to continue a run exactly — the
// configuration and data it belongs to, position, parameters, optimizer state,
// FDS statistics, model selection — with a magic header and a checksum.
import Foundation

/// File layout: "DIRDCKPT", UInt32 version, UInt64 payload length, payload,
/// UInt64 FNV-1a checksum of everything before it. The payload is written by
/// `encode` in field order; all numbers little-endian.
public struct Checkpoint {
    static let magic = Array("DIRDCKPT".utf8)
    static let version: UInt32 = 1

    /// Canonical JSON of the configuration's training identity (see `TrainingConfig.identity`).
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
        var file = ByteWriter()
        for b in Self.magic { file.append(b) }
        file.append(Self.version)
        file.append(UInt64(p.bytes.count))
        var out = file.bytes + p.bytes
        var h = FNV1a()
        h.add(bytes: out)
        withUnsafeBytes(of: h.value.littleEndian) { out += $0 }
        return out
    }

    /// Decodes and verifies a checkpoint file's bytes; `path` names it in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        guard bytes.count >= 20, Array(bytes[0..<8]) == magic else {
            throw CheckpointError(path, "not a dir-dist checkpoint (bad magic)")
        }
        var header = ByteReader(Array(bytes[8..<20]))
        let version = try header.read(UInt32.self)
        guard version == Self.version else {
            throw CheckpointError(path, "unsupported checkpoint version \(version) (this dir-dist reads \(Self.version))")
        }
        let length = Int(try header.read(UInt64.self))
        guard length >= 0, bytes.count >= 20 + length + 8 else {
            throw CheckpointError(path, "truncated checkpoint: \(bytes.count) bytes, header promises \(20 + length + 8)")
        }
        guard bytes.count == 20 + length + 8 else {
            throw CheckpointError(path, "corrupt checkpoint: \(bytes.count - 28 - length) unexpected trailing bytes")
        }
        var h = FNV1a()
        h.add(bytes: bytes[0..<(20 + length)])
        let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 20 + length, as: UInt64.self) }
        guard UInt64(littleEndian: stored) == h.value else {
            throw CheckpointError(path, "corrupt checkpoint: checksum mismatch")
        }
        do {
            var r = ByteReader(Array(bytes[20..<(20 + length)]))
            var c = Checkpoint(identity: try r.readBytes(), dataFingerprint: try r.read(UInt64.self),
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
            guard r.remaining == 0 else { throw CheckpointError(path, "corrupt checkpoint: \(r.remaining) unread bytes") }
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
    init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    public var description: String { "error: \(path): \(message)" }
}

extension FNV1a {
    mutating func add<C: Collection>(bytes: C) where C.Element == UInt8 {
        for b in bytes { add(byte: b) }
    }
}
