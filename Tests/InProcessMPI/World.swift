// One MPI world for the in-process tests: this test process is a single rank (MPI's
// singleton start, no mpirun), initialised once, finalised at exit.
import Collectives
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

public enum InProcess {
    /// The world of this test process (one rank); XCTest runs the tests one at a time.
    ///
    /// The singleton start puts OpenMPI's and PMIx's variables into this process's
    /// environment; the suite's other tests start `mpirun` as a child, which would take
    /// them for a job it runs inside and fail. MPI has read them by the end of MPI_Init,
    /// so the environment is put back as it was.
    nonisolated(unsafe) public static let world: Communicator = {
        let before = ProcessInfo.processInfo.environment
        let comm = Communicator()
        for (name, value) in ProcessInfo.processInfo.environment where before[name] != value {
            if let old = before[name] { setenv(name, old, 1) } else { unsetenv(name) }
        }
        atexit { InProcess.world.finalize() }
        return comm
    }()
}
