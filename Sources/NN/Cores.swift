// How many cores this process may use: its affinity mask, which taskset, cgroup cpusets
// and Slurm's task binding narrow (Foundation's activeProcessorCount counts the whole
// machine there).
import CCPUID

public enum Cores {
    public static var allowed: Int { max(1, Int(ccpuid_allowed_cores())) }
}
