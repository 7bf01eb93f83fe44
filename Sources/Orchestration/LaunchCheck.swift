// Launches that cannot work, refused before training: srun that started several
// tasks without working PMI, so that each process would be rank 0 of 1 and train alone.
import Collectives
import Datasets
import Foundation

public enum LaunchCheck {
    public static func check(_ comm: Communicator) throws {
        let env = ProcessInfo.processInfo.environment
        guard comm.size == 1, env["OMPI_COMM_WORLD_SIZE"] == nil,
            let tasks = env["SLURM_STEP_NUM_TASKS"].flatMap(Int.init), tasks > 1
        else { return }
        // Every task sees the same; only the first one speaks.
        if env["SLURM_PROCID"] ?? "0" != "0" { throw SilentFailure() }
        throw InputError(
            "srun",
            "started \(tasks) tasks but MPI sees each as rank 0 of 1 (no working PMI); use srun --mpi=pmix (see "
                + "srun --mpi=list) or mpirun"
        )
    }
}

/// A failure already reported by another process: exit 2 without a line.
public struct SilentFailure: Error {}
