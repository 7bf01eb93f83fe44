// Floating-point environment of a training process: flush denormals to zero.
// Adam's second moments and small gradients decay into the denormal range, where
// x86 arithmetic is up to 100x slower; like torch.set_flush_denormal(True), values
// below 1.2e-38 become 0, far below any tolerance of this project.
#ifndef DIR_DIST_CFLOATENV_H
#define DIR_DIST_CFLOATENV_H
/// Sets FTZ and DAZ for this thread (x86 MXCSR); elsewhere does nothing. Returns 1 if set.
int cfloatenv_flush_denormals(void);
#endif
