// .npy reading: float32 and float64, vectors and matrices, and the refused cases
// (dtype, Fortran order, truncation, bad magic) with their messages.
import Datasets
import Foundation
import TestSupport
import XCTest

final class NumpyFileTests: XCTestCase {
    let dir = Paths.temporaryDirectory("npy")

    func testReadsFloat32MatrixAndFloat64Labels() throws {
        let x = Fixtures.writeNpy(
            dir.appendingPathComponent("x.npy"), shape: [2, 3],
            payload: Fixtures.float32([1, 2, 3, 4, 5, 6]))
        let m = try NumpyFile.features(path: x.path)
        XCTAssertEqual(m.rows, 2)
        XCTAssertEqual(m.columns, 3)
        XCTAssertEqual(m.value(1, 2), 6)
        let y = Fixtures.writeNpy(
            dir.appendingPathComponent("y.npy"), descr: "<f8", shape: [3],
            payload: Fixtures.float64([0.1, 0.2, 4.8]))
        XCTAssertEqual(try NumpyFile.labels(path: y.path), [0.1, 0.2, 4.8])
    }

    /// The STS-B-DIR fixture (Tests/Fixtures/README.md): 160 validation pairs of 768 features.
    func testReadsTheRealSTSBFiles() throws {
        let x = try NumpyFile.features(path: Paths.fixture("stsb-dir").appendingPathComponent("dev_X.npy").path)
        XCTAssertEqual(x.rows, 160)
        XCTAssertEqual(x.columns, 768)
        let y = try NumpyFile.labels(path: Paths.fixture("stsb-dir").appendingPathComponent("dev_y.npy").path)
        XCTAssertEqual(y.count, 160)
        XCTAssertTrue(y.allSatisfy { $0 >= 0 && $0 <= 5 })
    }

    /// Shapes whose sizes overflow Int are a short file, not a trap (issue 22).
    func testHugeShapesAreTruncatedFilesNotTraps() {
        for shape in [[1 << 40, 1 << 40], [Int.max / 2, 3]] {
            let x = Fixtures.writeNpy(
                dir.appendingPathComponent("huge.npy"), shape: shape, payload: Fixtures.float32([1, 2]))
            XCTAssertThrowsError(try NumpyFile.features(path: x.path)) {
                XCTAssertTrue("\($0)".contains("truncated: shape"), "\($0)")
            }
        }
    }

    func testRefusesUnsupportedFiles() {
        let cases: [(String, () -> URL, String)] = [
            (
                "int64",
                {
                    Fixtures.writeNpy(
                        self.dir.appendingPathComponent("a.npy"), descr: "<i8", shape: [2], payload: Data(count: 16))
                }, "unsupported dtype '<i8'"
            ),
            (
                "big-endian",
                {
                    Fixtures.writeNpy(
                        self.dir.appendingPathComponent("b.npy"), descr: ">f4", shape: [2], payload: Data(count: 8))
                }, "unsupported dtype '>f4'"
            ),
            (
                "fortran",
                {
                    Fixtures.writeNpy(
                        self.dir.appendingPathComponent("c.npy"), fortranOrder: true, shape: [2, 2],
                        payload: Data(count: 16))
                }, "Fortran-ordered"
            ),
            (
                "truncated",
                {
                    Fixtures.writeNpy(
                        self.dir.appendingPathComponent("d.npy"), shape: [4, 4], payload: Data(count: 20))
                }, "truncated"
            ),
            (
                "magic", { Fixtures.writeText(self.dir.appendingPathComponent("e.npy"), "hello, this is not numpy") },
                "bad magic"
            ),
        ]
        for (name, make, message) in cases {
            let url = make()
            XCTAssertThrowsError(try NumpyFile.features(path: url.path), name) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("error: \(url.path): "), "\(name): \(text)")
                XCTAssertTrue(text.contains(message), "\(name): \(text)")
            }
        }
        XCTAssertThrowsError(try NumpyFile.features(path: dir.appendingPathComponent("missing.npy").path)) {
            XCTAssertTrue("\($0)".contains("cannot open"), "\($0)")
        }
    }
}
