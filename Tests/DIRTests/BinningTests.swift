// The bin rule of docs/specification.md §1: double-precision edges, y ≥ hi in the last bin,
// y < lo in the first, and labels on 0.1 multiples binned as NumPy does.
import DIR
import XCTest

final class BinningTests: XCTestCase {
    func testEdgesAndClamping() {
        let b = Binning(lo: 0, hi: 5, count: 50)
        XCTAssertEqual(b.bin(-1), 0)
        XCTAssertEqual(b.bin(5), 49)
        XCTAssertEqual(b.bin(7), 49)
        XCTAssertEqual(b.bin(0), 0)
        // 0.3 in double is below the edge 3 · 0.1 = 0.30000000000000004: bin 2, as NumPy.
        XCTAssertEqual(b.bin(0.3), 2)
        XCTAssertEqual(b.bin(0.2), 2)
        XCTAssertEqual(b.bin(2.5), 25)
    }

    func testIntegerBinsFoldLargeLabels() {
        let b = Binning.integer(maxLabel: 120)
        XCTAssertEqual(b.count, 121)
        XCTAssertEqual(b.bin(0), 0)
        XCTAssertEqual(b.bin(47), 47)
        XCTAssertEqual(b.bin(150), 120)
    }

    func testKernelValidation() {
        XCTAssertNotNil(Kernel(.gaussian, size: 4).problem)
        XCTAssertNotNil(Kernel(.gaussian, size: -1).problem)
        XCTAssertNotNil(Kernel(.laplace, size: 5, sigma: 0).problem)
        XCTAssertNil(Kernel(.triang, size: 5, sigma: 0).problem)
        XCTAssertEqual(Kernel(.gaussian).fdsWindow.reduce(0, +), 1, accuracy: 1e-12)
    }
}
