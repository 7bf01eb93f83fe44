// Starts real `mpirun` jobs for the multi-rank tests (no mocks): as root it adds
// --allow-run-as-root, beyond the cores --oversubscribe, one BLAS thread per rank.
import Foundation
import XCTest

public struct ProcessResult {
    public let status: Int32
    public let stdout: String
    public let stderr: String
    public let seconds: Double
    public let timedOut: Bool
}

public enum MPIRun {
    /// `mpirun -np ranks program arguments...`, killed after `timeout` seconds.
    public static func run(
        ranks: Int, program: String = Paths.binary("dir-dist"), _ arguments: [String],
        timeout: Double = 120, environment: [String: String] = [:]
    ) -> ProcessResult {
        var flags = [
            "--np", "\(ranks)", "--oversubscribe", "--bind-to", "none",
            "-x", "OPENBLAS_NUM_THREADS=1",
        ]
        if getuid() == 0 { flags.insert("--allow-run-as-root", at: 0) }
        for key in environment.keys.sorted() where !environment[key]!.isEmpty { flags += ["-x", key] }
        return Subprocess.run(
            "/usr/bin/env", ["mpirun"] + flags + [program] + arguments,
            timeout: timeout, environment: environment)
    }
}

public enum Subprocess {
    public static func run(
        _ executable: String, _ arguments: [String], timeout: Double = 120,
        environment: [String: String] = [:]
    ) -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["OPENBLAS_NUM_THREADS"] = "1"
        // An empty value removes the variable (the child runs as if it were never set).
        for (k, v) in environment { env[k] = v.isEmpty ? nil : v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let start = Date()
        // Drain both pipes concurrently so a chatty child never blocks.
        let outData = DataBox(), errData = DataBox()
        let group = DispatchGroup()
        for (pipe, box) in [(out, outData), (err, errData)] {
            group.enter()
            DispatchQueue.global().async {
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
        do { try process.run() } catch {
            return ProcessResult(
                status: -1, stdout: "", stderr: "cannot start \(executable): \(error)",
                seconds: 0, timedOut: false)
        }
        var timedOut = false
        while process.isRunning {
            if Date().timeIntervalSince(start) > timeout {
                timedOut = true
                // The child's descendants (mpirun, its ranks) hold the pipes open: end them
                // all, or the reads below would wait for ever.
                let descendants = Self.descendants(of: process.processIdentifier)
                process.terminate()
                usleep(500_000)
                for pid in descendants { kill(pid, SIGKILL) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        if timedOut {
            _ = group.wait(timeout: .now() + 10)
        } else {
            group.wait()
        }
        return ProcessResult(
            status: process.terminationStatus,
            stdout: String(decoding: outData.data, as: UTF8.self),
            stderr: String(decoding: errData.data, as: UTF8.self),
            seconds: Date().timeIntervalSince(start), timedOut: timedOut)
    }
}

extension ProcessResult {
    /// Bad input's contract: exit status `expected` (2) and exactly one `error:` line on
    /// standard error, which contains `message`.
    public func assertOneErrorLine(
        containing message: String, status expected: Int32 = 2, _ what: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(status, expected, "\(what): \(stderr)", file: file, line: line)
        let errors = stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }
        XCTAssertEqual(errors.count, 1, "\(what): exactly one error line: \(stderr)", file: file, line: line)
        XCTAssertTrue(
            errors.first?.contains(message) ?? false, "\(what): want '\(message)' in \(stderr)", file: file, line: line)
    }
}

extension Subprocess {
    /// Every process below `pid`, from /proc (children first found, then theirs).
    static func descendants(of pid: Int32) -> [Int32] {
        var parents = [Int32: [Int32]]()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After "pid (comm) state ": the parent's pid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, let parent = Int32(fields[1]) { parents[parent, default: []].append(child) }
        }
        var found = [Int32](), queue = [pid]
        while let next = queue.popLast() {
            for child in parents[next] ?? [] {
                found.append(child)
                queue.append(child)
            }
        }
        return found
    }
}

final class DataBox: @unchecked Sendable {
    var data = Data()
}
