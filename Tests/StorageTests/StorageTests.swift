// Files that survive a crash: atomic replacement that leaves no temporary file,
// appending with a header only for a new file, and JSON text.
import Foundation
import Storage
import TestSupport
import XCTest

final class StorageTests: XCTestCase {
    let dir = Paths.temporaryDirectory("storage")

    func testAtomicWriteReplacesAndLeavesNoTemporaryFile() throws {
        let path = dir.appendingPathComponent("table.csv").path
        try ResultFile.writeAtomically(Array("old\n".utf8), to: path)
        try ResultFile.writeAtomically(Array("new\n".utf8), to: path)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "new\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["table.csv"])
        XCTAssertThrowsError(try ResultFile.writeAtomically([1], to: dir.appendingPathComponent("no/such/x").path))
    }

    func testAppendWritesTheHeaderOnlyForANewFile() throws {
        let path = dir.appendingPathComponent("rows.csv").path
        try ResultFile.append("1\n", to: path, header: "n\n")
        try ResultFile.append("2\n", to: path, header: "n\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "n\n1\n2\n")
    }

    func testJSONTextEscapesAndWritesNullForNonFiniteNumbers() {
        XCTAssertEqual(JSONText.string("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\u0001\"")
        XCTAssertEqual(JSONText.number(.nan), "null")
        XCTAssertEqual(JSONText.number(nil), "null")
        XCTAssertEqual(JSONText.list([1.5, .infinity]), "[1.5,null]")
    }
}
