// The readers that take bytes from outside, as fuzz targets: CSV (parsed, then a schema
// fitted and applied), `.npy` (features and labels, every value read), checkpoints and
// model files (the command line is dir-dist-fuzz-options). Bad input must be an error,
// never a crash or a sanitizer report.
// Built with libFuzzer by benchmarks/fuzz.sh (-DFUZZING, --sanitize fuzzer,address);
// built normally, the same code replays files given on the command line (the seed corpus,
// in the test suite).
import Checkpoints
import Datasets
import Foundation

enum Reader: String, CaseIterable {
    case csv, npy, checkpoint, model

    /// Feeds `bytes` to the reader; errors are the expected outcome for most inputs.
    func read(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .csv:
            let text = String(decoding: bytes, as: UTF8.self)
            guard let table = try? CSVFile.table(text, source: "fuzz.csv", target: "y", split: "train") else { return }
            guard let (schema, _) = try? TableSchema.fit(table) else { return }
            _ = try? schema.encode(table)
            _ = schema.featureNames
        case .npy:
            if let (h, rows, columns) = try? NumpyFile.featureLayout(bytes, path: "fuzz.npy") {
                touch(bytes, h, count: rows * columns)
            }
            if let (h, count) = try? NumpyFile.labelLayout(bytes, path: "fuzz.npy") { touch(bytes, h, count: count) }
        case .checkpoint:
            _ = try? Checkpoint.decode(Array(bytes), path: "fuzz.ckpt")
        case .model:
            _ = try? ModelFile.read(bytes: Array(bytes), path: "fuzz.bin")
        }
    }

    /// Reads every value the header promises (the sanitizer sees any read past the end).
    private func touch(_ bytes: UnsafeRawBufferPointer, _ h: NumpyHeader, count: Int) {
        var sum = 0.0
        let width = h.dtype == .float32 ? 4 : 8
        for i in 0..<count {
            let at = h.dataOffset + i * width
            sum +=
                width == 4
                ? Double(bytes.loadUnaligned(fromByteOffset: at, as: Float.self))
                : bytes.loadUnaligned(fromByteOffset: at, as: Double.self)
        }
        blackHole(sum)
    }

    @inline(never) private func blackHole(_ x: Double) { if x == 0x1.23456p-1000 { print(x) } }

    /// The reader named by DIR_DIST_FUZZ (csv, npy, checkpoint, model).
    static let chosen: Reader = {
        let name = ProcessInfo.processInfo.environment["DIR_DIST_FUZZ"] ?? ""
        guard let reader = Reader(rawValue: name) else {
            FileHandle.standardError.write(
                Data("error: DIR_DIST_FUZZ: '\(name)' is not one of \(allCases.map(\.rawValue))\n".utf8))
            exit(2)
        }
        return reader
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    Reader.chosen.read(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

#if !FUZZING
    /// Replays files through the reader DIR_DIST_FUZZ names: `dir-dist-fuzz FILE...`.
    @main
    struct Replay {
        static func main() {
            var count = 0
            for path in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("error: \(path): cannot read\n".utf8))
                    exit(2)
                }
                data.withUnsafeBytes { Reader.chosen.read($0) }
                count += 1
            }
            print("\(Reader.chosen.rawValue): \(count) inputs replayed")
        }
    }
#endif
