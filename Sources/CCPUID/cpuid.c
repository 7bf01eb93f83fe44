#include "ccpuid.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/// The OS saves the YMM (bits 1-2) and ZMM (bits 5-7) state: read XCR0.
static unsigned long long xcr0(void) {
    unsigned int lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

int ccpuid_features(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave) return 0;
    unsigned long long x = xcr0();
    int ymm = (x & 0x6) == 0x6, zmm = (x & 0xe6) == 0xe6;
    int features = 0;
    if (avx && ymm) features |= CCPUID_AVX;
    if (fma && ymm) features |= CCPUID_FMA;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        if (((b >> 5) & 1) && ymm) features |= CCPUID_AVX2;
        int f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
        if (f && dq && bw && vl && zmm) features |= CCPUID_AVX512;
    }
    return features;
}
#else
int ccpuid_features(void) { return 0; }
#endif
