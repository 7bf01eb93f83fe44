// Makes every rank reach the same verdict on work each rank did alone
// (loading, checking), so rank 0 can report one clear error and nobody hangs.
import Collectives
import Datasets

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
        var text = Array((failure.map { describe($0) } ?? "").utf8)
        comm.broadcast(bytes: &text, root: failedRank)
        if let failure, comm.rank == failedRank, failure is InputError { throw failure }
        throw RemoteFailure(rank: failedRank, message: String(decoding: text, as: UTF8.self))
    }

    static func describe(_ error: Error) -> String {
        (error as? InputError).map { "\($0.location): \($0.message)" } ?? "\(error)"
    }
}

/// An input error first seen on another rank.
public struct RemoteFailure: Error, CustomStringConvertible {
    public let rank: Int
    public let message: String
    public var description: String { "error: \(message) (seen on rank \(rank))" }
}
