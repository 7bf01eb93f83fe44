#include "cvectorkernels.h"
#include "clones.h"

#pragma clang fp contract(off)

CLONES void cvk_gather_standardized(const float *base, const int *rows, long count, long columns,
                                    const float *mean, const float *invStd, float *out) {
    for (long k = 0; k < count; k++) {
        if (k + 1 < count) {
            // The next row is a random one of the matrix: ask for its lines now, so the
            // misses overlap this row's arithmetic instead of following it.
            const char *next = (const char *)(base + (long)rows[k + 1] * columns);
            for (long b = 0; b < columns * (long)sizeof(float); b += 64) __builtin_prefetch(next + b, 0, 0);
        }
        const float *restrict src = base + (long)rows[k] * columns;
        float *restrict dst = out + k * columns;
        for (long j = 0; j < columns; j++) dst[j] = (src[j] - mean[j]) * invStd[j];
    }
}
