// The command line as a fuzz target: one argument per line, as a shell would pass them,
// through every option check (nothing runs). Apart from dir-dist-fuzz so that the
// readers' sanitized build does not compile the whole program. Built with libFuzzer by
// `benchmarks/fuzz.sh options` (-DFUZZING); built normally, it replays files given on
// the command line (the seed corpus, in the test suite).
import DirDistCommand
import Foundation

func checkOptions(_ bytes: UnsafeRawBufferPointer) {
    let arguments = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        .prefix(64).map(String.init)
    _ = DirDist.check(arguments)
}

#if FUZZING
    // Only in the fuzzing build: the test bundle links dir-dist-fuzz's entry point too.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        checkOptions(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
#else
    /// Replays files through the option checks: `dir-dist-fuzz-options FILE...`.
    @main
    struct Replay {
        static func main() {
            var count = 0
            for path in CommandLine.arguments.dropFirst() {
                guard let data = FileManager.default.contents(atPath: path) else {
                    FileHandle.standardError.write(Data("error: \(path): cannot read\n".utf8))
                    exit(2)
                }
                data.withUnsafeBytes { checkOptions($0) }
                count += 1
            }
            print("options: \(count) inputs replayed")
        }
    }
#endif
