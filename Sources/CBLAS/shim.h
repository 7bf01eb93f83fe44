// OpenBLAS through its cblas interface (Debian libopenblas-dev); cblas.h also
// declares openblas_set_num_threads, used to give each rank one BLAS thread.
#ifndef DIR_DIST_CBLAS_SHIM_H
#define DIR_DIST_CBLAS_SHIM_H
#include <cblas.h>
#endif
