#include "cvectorkernels.h"
#include "clones.h"
#include <math.h>

#pragma clang fp contract(off)

/// The update of one block whose gradient is already summed into g.
static inline __attribute__((always_inline)) void update(float *restrict p, const float *restrict g,
                                                         float *restrict m, float *restrict v, long n, float b1,
                                                         float b2, float eps, float wd, float shrink,
                                                         float stepSize, float invRoot2) {
    const float c1 = 1.0f - b1, c2 = 1.0f - b2;
    for (long i = 0; i < n; i++) {
        float gi = g[i] + wd * p[i];
        float mi = b1 * m[i] + c1 * gi;
        float vi = b2 * v[i] + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        // shrink is 1 for Adam (exact: p stays p) and 1 - lr*decay for AdamW.
        p[i] = p[i] * shrink - stepSize * mi / (__builtin_sqrtf(vi) * invRoot2 + eps);
    }
}

CLONES void cvk_adam(float *p, const float *const *grads, int gradCount, float *m, float *v, long lo, long n,
                     float b1, float b2, float eps, float wd, float shrink, float stepSize, float invRoot2) {
    p += lo;
    m += lo;
    v += lo;
    if (gradCount == 1) {
        update(p, grads[0] + lo, m, v, n, b1, b2, eps, wd, shrink, stepSize, invRoot2);
        return;
    }
    // Several ranks' gradients: sum a block (in rank order), then update it.
    enum { BLOCK = 512 };
    float sum[BLOCK];
    for (long start = 0; start < n; start += BLOCK) {
        long count = n - start < BLOCK ? n - start : BLOCK;
        const float *g0 = grads[0] + lo + start, *g1 = grads[1] + lo + start;
        for (long i = 0; i < count; i++) sum[i] = g0[i] + g1[i];
        for (int r = 2; r < gradCount; r++) {
            const float *gr = grads[r] + lo + start;
            for (long i = 0; i < count; i++) sum[i] += gr[i];
        }
        update(p + start, sum, m + start, v + start, count, b1, b2, eps, wd, shrink, stepSize, invRoot2);
    }
}
