// The vector instruction sets this CPU and the OS support, read with CPUID and XGETBV:
// enough to tell which OpenBLAS kernel family can run here when OpenBLAS itself does
// not recognise the CPU (virtual machines whose CPUID names no model).
#ifndef DIR_DIST_CCPUID_H
#define DIR_DIST_CCPUID_H

enum {
    CCPUID_AVX = 1 << 0,
    CCPUID_AVX2 = 1 << 1,
    CCPUID_FMA = 1 << 2,
    /// AVX-512 F, BW, DQ and VL together (the SkylakeX kernels need all four).
    CCPUID_AVX512 = 1 << 3,
};

/// A mask of the CCPUID_ flags usable in this process (0 on non-x86 machines).
int ccpuid_features(void);

/// The cores this process may run on (its affinity mask; the online cores elsewhere).
int ccpuid_allowed_cores(void);

#endif
