// Elementwise kernels that Swift's baseline x86-64 build cannot give the CPU's widest
// vectors: compiled for AVX-512, AVX2 and baseline, chosen per CPU when the program
// loads (function multiversioning). FP contraction is off, so every version rounds
// exactly as the others and as the Swift loops they replace: results are bitwise equal
// on any CPU.
#ifndef DIR_DIST_CVECTORKERNELS_H
#define DIR_DIST_CVECTORKERNELS_H

/// One Adam step (torch.optim.Adam) on elements [lo, lo + n): the gradient is
/// grads[0][i] + grads[1][i] + ... (in that order), then
///   g = grad + wd·p;  m = b1·m + (1 − b1)·g;  v = b2·v + (1 − b2)·g·g;
///   p = p − stepSize·m / (sqrt(v)·invRoot2 + eps).
/// p, m and v are indexed from lo as well.
void cvk_adam(float *p, const float *const *grads, int gradCount, float *m, float *v, long lo, long n,
              float b1, float b2, float eps, float wd, float shrink, float stepSize, float invRoot2);

/// out[k][j] = (base[rows[k]][j] − mean[j]) · invStd[j] for k < count, j < columns
/// (row-major, `columns` per row), prefetching the next row while computing this one.
void cvk_gather_standardized(const float *base, const int *rows, long count, long columns, const float *mean,
                             const float *invStd, float *out);

#endif
