// Fingerprints depend on every byte, and the checksum is SHA-256 (a published example).
import Fingerprints
import XCTest

final class FingerprintTests: XCTestCase {
    func testFingerprintsDependOnEveryByte() {
        var a = Fingerprint(), b = Fingerprint()
        a.add(1)
        b.add(2)
        XCTAssertNotEqual(a.value(), b.value())
        var c = Fingerprint()
        c.add(1)
        XCTAssertEqual(a.value(), c.value())
        XCTAssertEqual(Fingerprint.sha256(Array("abc".utf8)).prefix(4), [0xba, 0x78, 0x16, 0xbf], "FIPS 180-2 example")
    }
}
