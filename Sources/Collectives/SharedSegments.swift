// MPI-3 shared memory among the ranks of one node: every rank allocates a segment of
// one window, and every rank can load and store in every segment directly. This
// lets ranks on a node sum gradients and share parameters without copying them
// through messages (see Sync/SharedMemorySync.swift).
import CMPI

/// One shared window: `segment(q)` is rank q's part, `count(q)` Floats long.
/// Accesses by different ranks are ordered by `synchronize()` alone: what a rank
/// stored before it is visible to every rank after it.
public final class SharedSegments {
    private let comm: Communicator
    private let window: MPI_Win?
    private let bases: [UnsafeMutablePointer<Float>]
    /// Stands in for empty segments, which MPI may give no address.
    private let placeholder = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    private let counts: [Int]

    /// Collective over all ranks, which must share one node; rank r asks for `count` Floats.
    /// Segments start on 64-byte boundaries when every count is a multiple of 16.
    init(comm: Communicator, count: Int) {
        precondition(comm.isSingleNode, "shared segments need every rank on one node")
        self.comm = comm
        var window: MPI_Win?
        var base: UnsafeMutableRawPointer?
        let bytes = MPI_Aint(count * MemoryLayout<Float>.stride)
        comm.check(
            withUnsafeMutablePointer(to: &base) {
                MPI_Win_allocate_shared(
                    bytes, Int32(MemoryLayout<Float>.stride), cmpi_info_null(), comm.node, $0, &window)
            }, "MPI_Win_allocate_shared")
        // Passive target epoch for the window's lifetime; MPI_Win_sync then orders loads and stores.
        comm.check(MPI_Win_lock_all(Int32(cmpi_mode_nocheck()), window), "MPI_Win_lock_all")
        var bases = [UnsafeMutablePointer<Float>]()
        var counts = [Int]()
        for q in 0..<comm.size {
            var size: MPI_Aint = 0
            var unit: Int32 = 0
            var peer: UnsafeMutableRawPointer?
            comm.check(
                withUnsafeMutablePointer(to: &peer) { MPI_Win_shared_query(window, Int32(q), &size, &unit, $0) },
                "MPI_Win_shared_query")
            counts.append(Int(size) / MemoryLayout<Float>.stride)
            bases.append(peer?.bindMemory(to: Float.self, capacity: max(counts[q], 1)) ?? placeholder)
        }
        self.window = window
        self.bases = bases
        self.counts = counts
        comm.windows.append(window)
        // Zero our own segment, and let nobody read a segment before its owner has.
        segment(comm.rank).update(repeating: 0, count: counts[comm.rank])
        synchronize()
    }

    /// Rank `rank`'s segment length in Floats.
    public func count(_ rank: Int) -> Int { counts[rank] }

    deinit { placeholder.deallocate() }

    /// Rank `rank`'s segment (a valid pointer even for an empty one).
    public func segment(_ rank: Int) -> UnsafeMutablePointer<Float> { bases[rank] }

    /// Memory barrier plus a barrier of all ranks (MPI's unified-model pattern:
    /// MPI_Win_sync; MPI_Barrier; MPI_Win_sync).
    public func synchronize() {
        comm.check(MPI_Win_sync(window), "MPI_Win_sync")
        comm.check(MPI_Barrier(comm.node), "MPI_Barrier")
        comm.check(MPI_Win_sync(window), "MPI_Win_sync")
    }
}

extension Communicator {
    /// Allocates a shared window, rank r's segment `count` Floats (collective; one node only).
    public func sharedSegments(count: Int) -> SharedSegments {
        SharedSegments(comm: self, count: count)
    }

    /// Frees the shared windows in creation order, which every rank shares (collective).
    func freeWindows() {
        for i in windows.indices {
            check(MPI_Win_unlock_all(windows[i]), "MPI_Win_unlock_all")
            check(MPI_Win_free(&windows[i]), "MPI_Win_free")
        }
        windows.removeAll()
    }
}
