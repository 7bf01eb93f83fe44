// Writes small input files for tests: .npy arrays (any dtype string, any shape)
// and CSV tables, so each malformed case is built explicitly.
import Foundation

public enum Fixtures {
    /// A .npy v1.0 file with the given header fields and raw little-endian payload.
    @discardableResult
    public static func writeNpy(
        _ url: URL, descr: String = "<f4", fortranOrder: Bool = false,
        shape: [Int], payload: Data
    ) -> URL {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header =
            "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let length = UInt16(header.utf8.count)
        bytes += [UInt8(length & 0xff), UInt8(length >> 8)]
        bytes += Array(header.utf8)
        var data = Data(bytes)
        data.append(payload)
        try! data.write(to: url)
        return url
    }

    public static func float32(_ values: [Float]) -> Data {
        values.withUnsafeBytes { Data($0) }
    }

    public static func float64(_ values: [Double]) -> Data {
        values.withUnsafeBytes { Data($0) }
    }

    @discardableResult
    public static func writeText(_ url: URL, _ text: String) -> URL {
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A valid CSV table: `rows` rows of `features` columns and a `target` column.
    public static func csv(rows: Int, features: Int = 3, seed: Int = 1) -> String {
        var text = (0..<features).map { "f\($0)" }.joined(separator: ",") + ",target\n"
        for r in 0..<rows {
            let x = (0..<features).map { Double((r * 7 + $0 * 13 + seed) % 17) / 4 }
            text += x.map { "\($0)" }.joined(separator: ",") + ",\(x.reduce(0, +) + Double(r % 3))\n"
        }
        return text
    }
}
