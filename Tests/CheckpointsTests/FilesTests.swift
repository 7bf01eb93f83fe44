// Model and checkpoint files: little-endian model files with their configuration, the
// SHA-256 checksum catching a flipped bit, and truncated fields refused.
import Checkpoints
import Foundation
import Settings
import TestSupport
import XCTest

final class FilesTests: XCTestCase {
    let dir = Paths.temporaryDirectory("files")

    func testModelFileIsLittleEndianWithTheConfiguration() throws {
        let path = dir.appendingPathComponent("model.bin").path
        var config = TrainingConfig()
        config.recipe.seed = 7
        let description = ModelDescription(
            config: config, featureNames: ["a", "b"], namedColumns: true, featureMean: [0, 1], featureInvStd: [1, 2],
            targetMean: 3, targetStd: 4, binning: .integer(maxLabel: 5))
        try ModelFile.write(path: path, description: description, parameters: [1.5, -2])
        let b = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(Array(b[0..<8]), Array("DIRDMODL".utf8))
        XCTAssertEqual(Array(b[8..<12]), [4, 0, 0, 0], "version 4, little-endian")
        let jsonLength = Int(b[12]) | Int(b[13]) << 8 | Int(b[14]) << 16 | Int(b[15]) << 24
        let json = try JSONDecoder().decode(ModelDescription.self, from: Data(b[16..<(16 + jsonLength)]))
        XCTAssertEqual(json, description)
        let (read, parameters) = try ModelFile.read(path: path)
        XCTAssertEqual(read, description)
        XCTAssertEqual(parameters, [1.5, -2])
        try Data(b.prefix(b.count - 5)).write(to: URL(fileURLWithPath: path + ".cut"))
        XCTAssertThrowsError(try ModelFile.read(path: path + ".cut")) {
            XCTAssertTrue("\($0)".contains("truncated model file"), "\($0)")
        }
        var reader = ByteReader(Array(b[(16 + jsonLength)...]))
        XCTAssertEqual(try reader.readFloats(), [1.5, -2])
        XCTAssertEqual(try reader.read(Int64.self), 0, "no FDS statistics")
    }

    func testChecksumCatchesAFlippedBitAndTruncationIsRefused() throws {
        let c = Checkpoint(
            identity: Array("{}".utf8), dataFingerprint: 1, weightsFingerprint: 2, epoch: 3, step: 4, epochLossSum: 0.5,
            seed: 6, parameters: [1, 2, 3], optimizerSteps: 7, optimizerState: [[0, 1, 2]], featureStatistics: [],
            bestEpoch: 2, bestMAE: 0.25, bestParameters: [], fdsPartialSums: [])
        let bytes = c.encode()
        let back = try Checkpoint.decode(bytes, path: "c")
        XCTAssertEqual(back.parameters, [1, 2, 3])
        XCTAssertEqual(back.optimizerState, [[0, 1, 2]])
        XCTAssertEqual(back.bestMAE, 0.25)
        for index in [9, 30, bytes.count - 40, bytes.count - 1] {
            var flipped = bytes
            flipped[index] ^= 0x01
            XCTAssertThrowsError(try Checkpoint.decode(flipped, path: "c"), "flip at \(index)")
        }
        XCTAssertThrowsError(try Checkpoint.decode(Array(bytes.dropLast(33)), path: "c")) {
            XCTAssertTrue("\($0)".contains("truncated checkpoint"), "\($0)")
        }
        var reader = ByteReader([5, 0, 0, 0, 0, 0, 0, 0, 1, 2])
        XCTAssertThrowsError(try reader.readFloats(), "a count larger than the bytes left")
    }
}
