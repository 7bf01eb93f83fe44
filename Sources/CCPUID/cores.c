// The cores this process may run on: its affinity mask (what taskset, cgroup cpusets
// and Slurm's task binding leave it), not the machine's count.
#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>

#include "ccpuid.h"

int ccpuid_allowed_cores(void) {
#ifdef __linux__
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0) return n;
    }
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
