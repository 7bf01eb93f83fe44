// The one read path of training: gathering standardised rows, for both storages, every
// row width (the vector kernel's tail included) and rows in any order, repeated or not.
import Datasets
import Foundation
import XCTest

final class FeatureMatrixTests: XCTestCase {
    func testGatherStandardisesTheRowsItIsGiven() {
        for columns in [1, 7, 8, 37, 768] {
            let rows = 23
            let values = (0..<(rows * columns)).map { Float(($0 * 7919) % 101) / 7 - 5 }
            let mean = (0..<columns).map { Float($0 % 5) / 3 }
            let invStd = (0..<columns).map { 1 / (1 + Float($0 % 7) / 2) }
            let doubles = UnsafeMutableBufferPointer<Double>.allocate(capacity: values.count)
            defer { doubles.deallocate() }
            _ = doubles.initialize(from: values.map(Double.init))
            let matrices = [
                FeatureMatrix(rows: rows, columns: columns, values: values),
                FeatureMatrix(
                    rows: rows, columns: columns, storage: .float64(UnsafePointer(doubles.baseAddress!)),
                    owner: NSObject()),
            ]
            let indices: [Int32] = [22, 0, 5, 5, 13, 1]
            for (name, matrix) in zip(["float32", "float64"], matrices) {
                var out = [Float](repeating: .nan, count: indices.count * columns)
                indices.withUnsafeBufferPointer { ix in
                    out.withUnsafeMutableBufferPointer {
                        matrix.gather(ix, mean: mean, invStd: invStd, into: $0.baseAddress!)
                    }
                }
                var worst: Float = 0
                for (k, row) in indices.enumerated() {
                    for j in 0..<columns {
                        let expected = (values[Int(row) * columns + j] - mean[j]) * invStd[j]
                        worst = max(worst, abs(out[k * columns + j] - expected))
                    }
                }
                XCTAssertEqual(worst, 0, "\(name), \(columns) columns: worst difference \(worst)")
            }
        }
    }
}
