// Makes every rank reach the same verdict on work each rank did alone
// (loading, checking), so rank 0 can report one clear error and nobody hangs.
import Collectives
import Datasets
import Foundation
import Settings

public enum Agreement {
    /// Runs `work` on every rank; if any rank failed, every rank throws.
    /// Rank 0 throws its own error when it has one; otherwise the lowest failing
    /// rank's error is sent to all, so rank 0 can print it.
    public static func together<T>(_ comm: Communicator, _ work: () throws -> T) throws -> T {
        var result: T?
        var failure: Error?
        do { result = try work() } catch { failure = error }
        let failedRank = comm.allreduce(failure == nil ? Int.max : comm.rank, op: .min)
        if failedRank == Int.max { return result! }
        var bytes = failure.map { RemoteFailure(rank: failedRank, $0).encoded() } ?? []
        comm.broadcast(bytes: &bytes, root: failedRank)
        if let failure, comm.rank == failedRank, failure is InputError || failure is SettingError { throw failure }
        throw RemoteFailure(decoding: bytes, rank: failedRank)
    }

    /// The hosts and ranks whose `value` differs from rank 0's ("dd-h1 (ranks 2-3)") and
    /// rank 0's host, or nil when all agree (collective).
    public static func ranksDiffering(from value: UInt64, _ comm: Communicator) -> (ranks: String, rootHost: String)? {
        var all = [Int](repeating: 0, count: comm.size)
        all[comm.rank] = Int(value >> 1)  // 63 bits: a sum with one non-zero term stays exact
        comm.allreduce(&all)
        let differing = all.indices.filter { all[$0] != all[0] }
        guard !differing.isEmpty else { return nil }
        let names = comm.hostNames()
        return (HostList.describe(differing.map { names[$0] }, ranks: differing), names[0])
    }
}

/// An error first seen on another rank: its text, or the setting error itself (so
/// that it can be printed with the option's name).
public struct RemoteFailure: Error, Codable, CustomStringConvertible {
    public let rank: Int
    public let message: String
    public let setting: SettingError?

    init(rank: Int, _ error: Error) {
        self.rank = rank
        setting = error as? SettingError
        message = (error as? InputError).map { "\($0.location): \($0.message)" } ?? "\(error)"
    }

    init(decoding bytes: [UInt8], rank: Int) {
        self =
            (try? JSONDecoder().decode(Self.self, from: Data(bytes)))
            ?? RemoteFailure(rank: rank, InputError("rank \(rank)", "failed (its error could not be read)"))
    }

    func encoded() -> [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }

    public var description: String { "error: \(message) (seen on rank \(rank))" }
}
