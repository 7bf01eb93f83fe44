// Errors about a setting that only the data or the file system can reveal (a label
// range, an output folder, a checkpoint). They name the setting, not its command-line
// spelling: the CLI owns the one mapping from setting to option name.

/// A setting that a run's own checks can find wrong.
public enum Setting: String, CaseIterable, Codable, Sendable {
    case epochs, labelRange, maxLabel, outputDirectory, fdsDump, resume, learningRate, denseWeightBandwidth
    case gaiComponents, ranksPerRun, sync, batchSize, resumeNewBatch
}

/// Text that may name settings; rendered with the caller's spelling of each.
public struct SettingText: ExpressibleByStringInterpolation, Codable, Sendable, Equatable {
    enum Piece: Codable, Sendable, Equatable {
        case text(String)
        case setting(Setting)
    }

    var pieces: [Piece]

    public init(stringLiteral value: String) { pieces = [.text(value)] }
    public init(stringInterpolation: Interpolation) { pieces = stringInterpolation.pieces }

    public struct Interpolation: StringInterpolationProtocol {
        var pieces = [Piece]()
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { pieces.append(.text(literal)) }
        public mutating func appendInterpolation(_ setting: Setting) { pieces.append(.setting(setting)) }
        public mutating func appendInterpolation(_ text: SettingText) { pieces += text.pieces }
        public mutating func appendInterpolation<T>(_ value: T) { pieces.append(.text("\(value)")) }
    }

    /// Joins two texts (long messages are written as sums of literals).
    public static func + (a: SettingText, b: SettingText) -> SettingText {
        SettingText(pieces: a.pieces + b.pieces)
    }

    private init(pieces: [Piece]) { self.pieces = pieces }

    /// The text with every setting spelled by `spelling`.
    public func rendered(_ spelling: (Setting) -> String) -> String {
        pieces.map {
            switch $0 {
            case .text(let s): return s
            case .setting(let s): return spelling(s)
            }
        }.joined()
    }
}

/// Bad input about one setting: printed as `error: <its option>: <message>` (status 2).
public struct SettingError: Error, Codable, Sendable, Equatable, CustomStringConvertible {
    public let setting: Setting
    public let message: SettingText

    public init(_ setting: Setting, _ message: SettingText) {
        self.setting = setting
        self.message = message
    }

    /// The error line with settings spelled by `spelling` (the CLI's option names).
    public func line(_ spelling: (Setting) -> String) -> String {
        "error: \(spelling(setting)): \(message.rendered(spelling))"
    }

    /// Without a CLI: settings by their configuration names.
    public var description: String { line { $0.rawValue } }
}
