// Typed input errors that print as one `error: <where>: <what>` line (exit status 2).
// Thrown by the loaders and by validation; the CLI prints them from rank 0 only.

public struct InputError: Error, CustomStringConvertible, Sendable {
    /// A file path, `path:line`, or an option name such as `--epochs`.
    public let location: String
    public let message: String

    public init(_ location: String, _ message: String) {
        self.location = location
        self.message = message
    }

    public init(file: String, line: Int, _ message: String) {
        self.init("\(file):\(line)", message)
    }

    public var description: String { "error: \(location): \(message)" }
}
