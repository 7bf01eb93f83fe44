// The one door to MPI: rank, size, allreduce, allgather, broadcast, barrier.
// Only this module calls MPI_* (node shared memory is in SharedSegments.swift);
// it knows nothing of models, data or files.
import CMPI

#if canImport(Glibc)
    import Glibc
#endif

/// Reduction operator of an allreduce.
public enum ReduceOp: Sendable {
    case sum, min, max

    var handle: MPI_Op {
        switch self {
        case .sum: return cmpi_op_sum()
        case .min: return cmpi_op_min()
        case .max: return cmpi_op_max()
        }
    }
}

/// Element types the communicator can move.
public protocol MPIScalar {
    static var mpiType: MPI_Datatype { get }
}
extension Float: MPIScalar { public static var mpiType: MPI_Datatype { cmpi_float() } }
extension Double: MPIScalar { public static var mpiType: MPI_Datatype { cmpi_double() } }
extension Int64: MPIScalar { public static var mpiType: MPI_Datatype { cmpi_int64() } }
extension UInt8: MPIScalar { public static var mpiType: MPI_Datatype { cmpi_uint8() } }
extension Int: MPIScalar {
    public static var mpiType: MPI_Datatype {
        precondition(MemoryLayout<Int>.size == 8, "dir-dist needs a 64-bit Int")
        return cmpi_int64()
    }
}

/// A communicator over MPI_COMM_WORLD. Create exactly one per process; it
/// initialises MPI and finalises it in `finalize()`.
///
/// Every rank must call the collectives in the same order with the same counts:
/// that is the protocol of docs/protocol.md §1, and a mismatch hangs the job.
public final class Communicator {
    public let rank: Int
    public let size: Int
    /// Ranks on this node (MPI_COMM_TYPE_SHARED), for choosing BLAS threads.
    public let localSize: Int
    /// This rank's place among them.
    public let localRank: Int
    private let comm: MPI_Comm
    /// The MPI handle, for other Collectives types (windows).
    var handle: MPI_Comm { comm }
    /// The ranks of this node, in world order (for shared memory windows).
    let node: MPI_Comm?
    /// Shared memory windows, freed (collectively) in `finalize()`.
    var windows = [MPI_Win?]()

    /// True when every rank runs on this node, so all can share memory.
    public var isSingleNode: Bool { localSize == size }

    public var isRoot: Bool { rank == 0 }

    public init() {
        var provided: Int32 = 0
        LaunchEnvironment.refuseDirectLaunchWithoutPMIx()
        LaunchEnvironment.applyBeforeInit()
        if MPI_Init_thread(nil, nil, cmpi_thread_single(), &provided) != cmpi_success() {
            _ = "error: MPI_Init failed\n".withCString { write(2, $0, strlen($0)) }
            exit(1)
        }
        let world: MPI_Comm = cmpi_comm_world()
        // Errors come back to `check`, which names the call, the rank and the host, instead
        // of aborting inside MPI with OpenMPI's page of text. Communicators split from the
        // world inherit it.
        if MPI_Comm_set_errhandler(world, cmpi_errors_return()) != cmpi_success() {
            _ = "error: MPI_Comm_set_errhandler failed\n".withCString { write(2, $0, strlen($0)) }
            exit(1)
        }
        comm = world
        (rank, size, node, localSize, localRank) = Self.layout(of: world, reportingAs: 0, to: world)
    }

    /// Rank, size, the node's sub-communicator and its size for `comm`; a failure is
    /// reported as rank `reportingRank` and aborts `errorComm`.
    private static func layout(of comm: MPI_Comm, reportingAs reportingRank: Int, to errorComm: MPI_Comm)
        -> (rank: Int, size: Int, node: MPI_Comm?, localSize: Int, localRank: Int)
    {
        var r: Int32 = 0
        var s: Int32 = 0
        check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank", rank: reportingRank, comm: errorComm)
        check(MPI_Comm_size(comm, &s), "MPI_Comm_size", rank: reportingRank, comm: errorComm)
        var node = cmpi_comm_null()
        check(
            MPI_Comm_split_type(comm, cmpi_comm_type_shared(), r, cmpi_info_null(), &node),
            "MPI_Comm_split_type", rank: reportingRank, comm: errorComm)
        var ls: Int32 = 1
        var lr: Int32 = 0
        check(MPI_Comm_size(node, &ls), "MPI_Comm_size (node)", rank: reportingRank, comm: errorComm)
        check(MPI_Comm_rank(node, &lr), "MPI_Comm_rank (node)", rank: reportingRank, comm: errorComm)
        return (Int(r), Int(s), node, Int(ls), Int(lr))
    }

    /// A communicator made by `split` or `splitByNode`: freed with `free()`, while MPI lives on.
    private init(made group: MPI_Comm?, rank parentRank: Int, parent: MPI_Comm) {
        comm = group!
        (rank, size, node, localSize, localRank) = Self.layout(of: comm, reportingAs: parentRank, to: parent)
    }

    /// The ranks that pass the same `color`, as a communicator of their own in this
    /// communicator's rank order (MPI_Comm_split). Collective; end it with `free()`.
    public func split(color: Int) -> Communicator {
        var group = cmpi_comm_null()
        check(MPI_Comm_split(comm, Int32(color), Int32(rank), &group), "MPI_Comm_split")
        return Communicator(made: group, rank: rank, parent: comm)
    }

    /// The ranks of this node, as a communicator of their own in this communicator's
    /// rank order (its rank is `localRank`). Collective; end it with `free()`.
    public func splitByNode() -> Communicator {
        var group = cmpi_comm_null()
        check(
            MPI_Comm_split_type(comm, cmpi_comm_type_shared(), Int32(rank), cmpi_info_null(), &group),
            "MPI_Comm_split_type")
        return Communicator(made: group, rank: rank, parent: comm)
    }

    /// Every rank's host name (MPI_Get_processor_name), in rank order (collective).
    public func hostNames() -> [String] {
        let width = Int(cmpi_max_processor_name()) + 1
        var mine = [CChar](repeating: 0, count: width)
        var length: Int32 = 0
        check(MPI_Get_processor_name(&mine, &length), "MPI_Get_processor_name")
        var all = [UInt8](repeating: 0, count: width * size)
        mine.withUnsafeBufferPointer { m in
            all.withUnsafeMutableBufferPointer { a in
                check(
                    MPI_Allgather(
                        m.baseAddress, Int32(width), cmpi_uint8(), a.baseAddress, Int32(width), cmpi_uint8(), comm),
                    "MPI_Allgather")
            }
        }
        return (0..<size).map { r in
            let bytes = all[(r * width)..<((r + 1) * width)].prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Frees a communicator made by `split` (collective over its ranks).
    public func free() {
        freeWindows()
        var node = self.node
        check(MPI_Comm_free(&node), "MPI_Comm_free (node)")
        var comm: MPI_Comm? = self.comm
        check(MPI_Comm_free(&comm), "MPI_Comm_free")
    }

    public func finalize() {
        freeWindows()
        check(MPI_Finalize(), "MPI_Finalize")
    }

    /// Elements per MPI call at most: MPI counts are 32-bit.
    static let largestCount = 1 << 30

    /// In-place sum/min/max over all ranks (in pieces of at most 2^30 elements).
    public func allreduce<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, op: ReduceOp = .sum) {
        guard size > 1, buffer.count > 0 else { return }
        var start = 0
        while start < buffer.count {
            let count = min(Self.largestCount, buffer.count - start)
            check(
                MPI_Allreduce(
                    cmpi_in_place(), buffer.baseAddress! + start, Int32(count), T.mpiType, op.handle, comm),
                "MPI_Allreduce")
            start += count
        }
    }

    public func allreduce<T: MPIScalar>(_ array: inout [T], op: ReduceOp = .sum) {
        array.withUnsafeMutableBufferPointer { allreduce($0, op: op) }
    }

    public func allreduce<T: MPIScalar>(_ value: T, op: ReduceOp = .sum) -> T {
        var v = [value]
        allreduce(&v, op: op)
        return v[0]
    }

    /// The smallest and the largest `value` over all ranks, in one allreduce (values
    /// above Int.min, so that their negation fits).
    public func extremes(_ value: Int) -> (min: Int, max: Int) {
        var both = [value, -value]
        allreduce(&both, op: .max)
        return (-both[1], both[0])
    }

    /// Overwrites `buffer` on every rank with root's contents.
    public func broadcast<T: MPIScalar>(_ buffer: UnsafeMutableBufferPointer<T>, root: Int = 0) {
        guard size > 1, buffer.count > 0 else { return }
        var start = 0
        while start < buffer.count {
            let count = min(Self.largestCount, buffer.count - start)
            check(MPI_Bcast(buffer.baseAddress! + start, Int32(count), T.mpiType, Int32(root), comm), "MPI_Bcast")
            start += count
        }
    }

    public func broadcast<T: MPIScalar>(_ array: inout [T], root: Int = 0) {
        array.withUnsafeMutableBufferPointer { broadcast($0, root: root) }
    }

    /// Broadcasts a byte string of any length (the length travels first).
    public func broadcast(bytes: inout [UInt8], root: Int = 0) {
        var count = [bytes.count]
        broadcast(&count, root: root)
        if rank != root { bytes = [UInt8](repeating: 0, count: count[0]) }
        broadcast(&bytes, root: root)
    }

    /// Blocking point-to-point send and receive (for latency/bandwidth measurements).
    public func send(_ buffer: UnsafeMutableBufferPointer<UInt8>, to destination: Int, tag: Int = 0) {
        check(
            MPI_Send(buffer.baseAddress, Int32(buffer.count), cmpi_uint8(), Int32(destination), Int32(tag), comm),
            "MPI_Send")
    }

    public func receive(_ buffer: UnsafeMutableBufferPointer<UInt8>, from source: Int, tag: Int = 0) {
        check(
            MPI_Recv(
                buffer.baseAddress, Int32(buffer.count), cmpi_uint8(), Int32(source), Int32(tag), comm,
                cmpi_status_ignore()), "MPI_Recv")
    }

    /// In-place gather of every rank's block: rank r contributes `buffer[offsets[r]..<offsets[r + 1]]`
    /// and afterwards every rank holds all blocks. `offsets` has size + 1 entries.
    public func allgather(_ buffer: UnsafeMutableBufferPointer<Float>, offsets: [Int]) {
        precondition(offsets.count == size + 1 && offsets.last! <= buffer.count, "allgather: bad offsets \(offsets)")
        guard size > 1 else { return }
        // Counts and displacements on the stack: RankSim calls this every step.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * size) { scratch in
            let counts = scratch.baseAddress!, displacements = counts + size
            for r in 0..<size {
                counts[r] = Int32(offsets[r + 1] - offsets[r])
                displacements[r] = Int32(offsets[r])
            }
            check(
                MPI_Allgatherv(
                    cmpi_in_place(), 0, cmpi_datatype_null(), buffer.baseAddress, counts, displacements,
                    cmpi_float(), comm), "MPI_Allgatherv")
        }
    }

    public func barrier() {
        check(MPI_Barrier(comm), "MPI_Barrier")
    }

    /// Starts a non-blocking in-place allreduce (sum); drive it with `test`
    /// and finish it with `wait`.
    public func startAllreduce(_ buffer: UnsafeMutableBufferPointer<Float>) -> PendingReduction {
        var request: MPI_Request? = cmpi_request_null()
        if size > 1 && buffer.count > 0 {
            check(
                MPI_Iallreduce(
                    cmpi_in_place(), buffer.baseAddress, Int32(buffer.count),
                    cmpi_float(), cmpi_op_sum(), comm, &request), "MPI_Iallreduce")
        }
        return PendingReduction(request: request, owner: self)
    }

    /// A failed MPI call cannot be recovered from (peers may sit in a collective):
    /// name the call and the rank, and end the whole job.
    func check(_ code: Int32, _ what: String) {
        Self.check(code, what, rank: rank, comm: comm)
    }

    /// The one place an MPI error becomes a line: the call, the rank, its host and MPI's
    /// own words; then the whole job ends (MPI_Abort reaches every rank, which may be
    /// waiting in a collective the failed one will never enter). Status 6.
    private static func check(_ code: Int32, _ what: String, rank: Int, comm: MPI_Comm?) {
        guard code != cmpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        var length: Int32 = 0
        let words = MPI_Error_string(code, &text, &length) == cmpi_success() ? Self.string(text) : "error \(code)"
        var host = [CChar](repeating: 0, count: 256)
        let name = gethostname(&host, host.count - 1) == 0 ? Self.string(host) : "?"
        let line = "error: rank \(rank) on \(name): \(what) failed: \(words)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        MPI_Abort(comm, Self.failureStatus)
        exit(Self.failureStatus)
    }

    /// For the tests: an MPI call that fails (a broadcast from a rank that does not exist),
    /// through the same `check` as every other.
    public func failOnPurpose() {
        var value: Int32 = 0
        check(MPI_Bcast(&value, 1, cmpi_int32(), Int32(size), comm), "MPI_Bcast")
    }

    /// A C string in `chars` (up to its terminating zero).
    private static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The exit status of a job ended by an MPI error.
    public static let failureStatus: Int32 = 6
}

/// A started non-blocking reduction. OpenMPI progresses it only inside MPI
/// calls, so the owner calls `test()` between pieces of work.
public struct PendingReduction {
    fileprivate var request: MPI_Request?
    fileprivate let owner: Communicator

    /// True once complete; also gives the library a chance to progress.
    public mutating func test() -> Bool {
        if request == cmpi_request_null() { return true }
        var flag: Int32 = 0
        owner.check(MPI_Test(&request, &flag, cmpi_status_ignore()), "MPI_Test")
        return flag != 0
    }

    public mutating func wait() {
        if request == cmpi_request_null() { return }
        owner.check(MPI_Wait(&request, cmpi_status_ignore()), "MPI_Wait")
    }
}
