// PLR: the periodic embedding of each numerical feature (Gorishniy et al., NeurIPS
// 2022): learned frequencies, cos and sin, a per-feature linear map, ReLU. Every
// product is one BLAS call per feature.
import PRNG

#if canImport(Glibc)
    import Glibc
#endif

/// `PeriodicEmbedding(features F, frequencies m, size d)`: x[n×F] → e[n×(F·d)],
/// e[i, f·d..<(f+1)·d] = ReLU([cos 2πc_f·x_if, sin 2πc_f·x_if] · W_f + b_f).
/// Parameters in the flat buffer at `offset`: c[F×m], then per feature W_f[2m×d] and b_f[d].
public struct PeriodicEmbedding {
    public let features: Int
    public let frequencies: Int
    public let size: Int
    public let sigma: Double
    public let offset: Int

    public init(features: Int, frequencies: Int, size: Int, sigma: Double, offset: Int) {
        self.features = features
        self.frequencies = frequencies
        self.size = size
        self.sigma = sigma
        self.offset = offset
    }

    public var outputSize: Int { features * size }
    private var periodicWidth: Int { 2 * frequencies }
    private var linearCount: Int { periodicWidth * size + size }
    public var parameterCount: Int { features * frequencies + features * linearCount }
    /// Floats of the cos/sin values one forward pass keeps for backward, per row.
    public var scratchPerRow: Int { features * periodicWidth }

    private func weights(_ f: Int) -> Int { offset + features * frequencies + f * linearCount }

    /// Frequencies from N(0, σ²) cut at ±3σ (redrawn beyond); each linear map uniform in
    /// ±1/sqrt(2m), as PyTorch's default for its input width.
    public func initialize(_ params: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        for i in 0..<(features * frequencies) {
            var z = rng.normal()
            while abs(z) > 3 { z = rng.normal() }
            params[offset + i] = Float(z * sigma)
        }
        let bound = 1 / Double(periodicWidth).squareRoot()
        for i in 0..<(features * linearCount) {
            params[weights(0) + i] = Float(rng.uniform(-bound, bound))
        }
    }

    /// e[n×(F·d)] from x[n×F]; `periodic` keeps [F][n][2m] cos/sin values for backward.
    public func forward(
        _ params: UnsafePointer<Float>, x: UnsafePointer<Float>, periodic: UnsafeMutablePointer<Float>,
        output e: UnsafeMutablePointer<Float>, count n: Int
    ) {
        let m = frequencies, width = periodicWidth, twoPi = Float(2 * Double.pi)
        for f in 0..<features {
            let c = params + offset + f * m
            let v = periodic + f * n * width
            for i in 0..<n {
                let xi = twoPi * x[i * features + f]
                let row = v + i * width
                for j in 0..<m {
                    let angle = c[j] * xi
                    row[j] = cos(angle)
                    row[m + j] = sin(angle)
                }
            }
            let w = params + weights(f), b = w + width * size
            for i in 0..<n { (e + i * outputSize + f * size).update(from: b, count: size) }
            BLAS.gemm(
                m: n, n: size, k: width, a: v, lda: width, b: w, ldb: size, beta: 1, c: e + f * size,
                ldc: outputSize)
        }
        ReLU.forward(e, count: n * outputSize)
    }

    /// Gradients of c, W and b from dE[n×(F·d)] (masked here by the ReLU of `output`,
    /// in place). `dPeriodic` is scratch of n·2m Floats; `ones` holds n ones.
    public func backward(
        _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
        periodic: UnsafePointer<Float>, output e: UnsafePointer<Float>, dOutput dE: UnsafeMutablePointer<Float>,
        dPeriodic: UnsafeMutablePointer<Float>, ones: UnsafePointer<Float>, count n: Int
    ) {
        let m = frequencies, width = periodicWidth, twoPi = Float(2 * Double.pi)
        ReLU.backward(output: e, dy: dE, count: n * outputSize)
        for f in 0..<features {
            let v = periodic + f * n * width
            let w = params + weights(f)
            let dw = grads + weights(f), db = dw + width * size
            let dy = dE + f * size
            if n == 0 {
                dw.update(repeating: 0, count: linearCount)
            } else {
                BLAS.gemm(
                    transA: true, m: width, n: size, k: n, a: v, lda: width, b: dy, ldb: outputSize, beta: 0,
                    c: dw, ldc: size)
            }
            BLAS.gemvTransposed(m: n, n: size, a: dy, lda: outputSize, x: ones, y: db)
            BLAS.gemm(
                transB: true, m: n, n: width, k: size, a: dy, lda: outputSize, b: w, ldb: size, beta: 0,
                c: dPeriodic, ldc: width)
            // d/dc_j of cos(2πc_j·x) is −2πx·sin, of sin(2πc_j·x) is 2πx·cos.
            let dc = grads + offset + f * m
            dc.update(repeating: 0, count: m)
            for i in 0..<n {
                let xi = twoPi * x[i * features + f]
                let row = v + i * width, d = dPeriodic + i * width
                for j in 0..<m {
                    dc[j] += xi * (row[j] * d[m + j] - row[m + j] * d[j])
                }
            }
        }
    }
}
