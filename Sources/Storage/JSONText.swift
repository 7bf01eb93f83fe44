// JSON written by hand, so that the key order and number format of the result files
// stay as docs/file-formats.md shows them: numbers, strings, lists.
import Foundation

public enum JSONText {
    /// A finite number, or null.
    public static func number(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "null" }
        return "\(v)"
    }

    /// A JSON string literal (quotes, backslashes and control characters escaped).
    public static func string(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    public static func list(_ v: [Double]) -> String { "[" + v.map { number($0) }.joined(separator: ",") + "]" }
}
