// A counter on rank 0 that any rank can take the next number from without rank 0's
// help (MPI-3 one-sided fetch-and-add under a shared lock): a work queue for ranks
// that finish at different times, while rank 0 itself works.
import CMPI

public final class SharedCounter {
    private let comm: Communicator
    private var window: MPI_Win?

    /// Collective over `comm`; the counter starts at 0.
    public init(_ comm: Communicator) {
        self.comm = comm
        var base: UnsafeMutableRawPointer?
        var window: MPI_Win?
        let bytes = comm.isRoot ? MemoryLayout<Int64>.size : 0
        comm.check(
            MPI_Win_allocate(
                MPI_Aint(bytes), Int32(MemoryLayout<Int64>.size), cmpi_info_null(), comm.handle, &base, &window),
            "MPI_Win_allocate")
        self.window = window
        if comm.isRoot {
            var zero: Int64 = 0
            comm.check(MPI_Win_lock(cmpi_lock_exclusive(), 0, 0, window), "MPI_Win_lock")
            comm.check(MPI_Put(&zero, 1, cmpi_int64(), 0, 0, 1, cmpi_int64(), window), "MPI_Put")
            comm.check(MPI_Win_unlock(0, window), "MPI_Win_unlock")
        }
        comm.barrier()
    }

    /// The counter's value before this call added 1 to it (every value goes to one caller).
    public func next() -> Int { add(1) }

    /// The counter's value before this call added `amount` to it (0: reads it).
    public func add(_ amount: Int) -> Int {
        var delta = Int64(amount)
        var old: Int64 = 0
        comm.check(MPI_Win_lock(cmpi_lock_shared(), 0, 0, window), "MPI_Win_lock")
        comm.check(MPI_Fetch_and_op(&delta, &old, cmpi_int64(), 0, 0, cmpi_op_sum(), window), "MPI_Fetch_and_op")
        comm.check(MPI_Win_unlock(0, window), "MPI_Win_unlock")
        return Int(old)
    }

    /// Collective: every rank is done with the counter.
    public func free() {
        comm.check(MPI_Win_free(&window), "MPI_Win_free")
    }
}
