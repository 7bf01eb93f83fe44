// The BLAS wrapper: the only file that calls cblas_* (STYLE: C at the edge).
// Row-major single-precision products used by the layers.
import CBLAS
import CFloatEnvironment

public enum BLAS {
    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major.
    /// op(A) is m×k, op(B) is k×n; `transA`/`transB` select the transpose.
    @inline(__always)
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
            transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }

    /// y[n] = alpha · Aᵀ x + beta · y for row-major A[m×n] (column sums when x is ones).
    @inline(__always)
    public static func gemvTransposed(
        m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        guard n > 0 else { return }
        if m == 0 {
            for j in 0..<n { y[j] = beta == 0 ? 0 : beta * y[j] }
            return
        }
        cblas_sgemv(
            CblasRowMajor, CblasTrans, Int32(m), Int32(n), alpha, a, Int32(lda),
            x, 1, beta, y, 1)
    }

    /// y[m] = alpha · A x + beta · y for row-major A[m×n] with leading dimension `lda`.
    @inline(__always)
    public static func gemv(
        m: Int, n: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        guard m > 0 else { return }
        if n == 0 {
            for i in 0..<m { y[i] = beta == 0 ? 0 : beta * y[i] }
            return
        }
        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }

    /// x[count] *= alpha.
    @inline(__always)
    public static func scale(_ x: UnsafeMutablePointer<Float>, count: Int, by alpha: Float) {
        guard count > 0 else { return }
        cblas_sscal(Int32(count), alpha, x, 1)
    }

    /// Sets OpenBLAS's thread count for this process (one per rank when ranks share cores).
    public static func setThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// The kernel family OpenBLAS runs (`Prescott`, `Haswell`, `SkylakeX`, `Zen`, ...).
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// Library and version, e.g. `OpenBLAS 0.3.21`.
    public static var library: String {
        let config = openblas_get_config().map { String(cString: $0) } ?? "OpenBLAS"
        return config.split(separator: " ").prefix(2).joined(separator: " ")
    }

    /// One 512³ product before training: until a process has made one large sgemm call,
    /// OpenBLAS runs small products far below their speed (docs/performance.md, "BLAS
    /// warm-up"); afterwards they stay fast.
    public static func warmUp() {
        let n = 512
        let a = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        gemm(m: n, n: n, k: n, a: a.pointer, lda: n, b: a.pointer, ldb: n, c: c.pointer, ldc: n)
    }

    /// Flushes denormals to zero in this thread (see cfloatenv.h); OpenBLAS's own
    /// threads start from the process's setting when created after this call.
    public static func flushDenormals() {
        _ = cfloatenv_flush_denormals()
    }
}
