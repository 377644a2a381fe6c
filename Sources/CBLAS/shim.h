#ifndef FLOWLEARN_CBLAS_SHIM_H
#define FLOWLEARN_CBLAS_SHIM_H
// OpenBLAS from Debian's libopenblas-dev. Debian keeps OpenBLAS's own cblas.h (which declares
// openblas_set_num_threads) in an `openblas-pthread` folder under the multiarch include folder, which
// is on the compiler's search path; the plain <cblas.h> is whatever BLAS the alternatives system picked.
#if __has_include(<openblas-pthread/cblas.h>)
#include <openblas-pthread/cblas.h>
#elif __has_include(<openblas/cblas.h>)
#include <openblas/cblas.h>
#else
#include <cblas.h>
#endif

/// Runs OpenBLAS on one thread: FlowLearn parallelises whole sentences itself.
static inline void flowlearn_blas_single_thread(void) { openblas_set_num_threads(1); }
#endif
