// Build a kernel for AVX-512, AVX2 and baseline x86-64, chosen when the program loads
// (function multiversioning); elsewhere, one plain version.
#ifndef DIR_DIST_CLONES_H
#define DIR_DIST_CLONES_H

#if defined(__x86_64__) && defined(__clang__)
#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define CLONES
#endif

#endif
