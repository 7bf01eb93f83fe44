// The two per-member parts of a TabM-mini ensemble (Gorishniy et al., ICLR 2025): a
// scaling of the shared network's input and a head. Everything between them is shared,
// and runs on the n·k rows (row i, member j) = i·k + j, so one GEMM serves all members.
import PRNG

/// `EnsembleInput(members k, width D)`: x[n×D] → x̃[(n·k)×D], x̃[i·k + j] = x[i] ⊙ r_j.
/// r[k×D] in the flat buffer at `offset`, initialised to random signs.
public struct EnsembleInput {
    public let members: Int
    public let width: Int
    public let offset: Int

    public init(members: Int, width: Int, offset: Int) {
        self.members = members
        self.width = width
        self.offset = offset
    }

    public var parameterCount: Int { members * width }

    public func initialize(_ params: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        for i in 0..<parameterCount { params[offset + i] = rng.below(2) == 0 ? -1 : 1 }
    }

    public func forward(
        _ params: UnsafePointer<Float>, x: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, count n: Int
    ) {
        let r = params + offset
        for i in 0..<n {
            let xi = x + i * width
            for j in 0..<members {
                let out = output + (i * members + j) * width, rj = r + j * width
                for c in 0..<width { out[c] = xi[c] * rj[c] }
            }
        }
    }

    /// dr_j = Σ_i dx̃[i·k + j] ⊙ x[i]; when `dx` is given, dx[i] = Σ_j dx̃[i·k + j] ⊙ r_j.
    public func backward(
        _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
        dOutput: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, count n: Int
    ) {
        let r = params + offset, dr = grads + offset
        dr.update(repeating: 0, count: parameterCount)
        if let dx { dx.update(repeating: 0, count: n * width) }
        for i in 0..<n {
            let xi = x + i * width
            for j in 0..<members {
                let d = dOutput + (i * members + j) * width, drj = dr + j * width
                for c in 0..<width { drj[c] += d[c] * xi[c] }
                if let dx {
                    let rj = r + j * width, dxi = dx + i * width
                    for c in 0..<width { dxi[c] += d[c] * rj[c] }
                }
            }
        }
    }
}

/// `EnsembleHead(members k, width h)`: ŷ[j·n + i] = z[i·k + j] · w_j + b_j, member-major so
/// that each member's predictions are one contiguous vector for the loss. Parameters at
/// `offset`: w[k×h], then b[k]; initialised as k `Linear(h, 1)` heads.
public struct EnsembleHead {
    public let members: Int
    public let width: Int
    public let offset: Int

    public init(members: Int, width: Int, offset: Int) {
        self.members = members
        self.width = width
        self.offset = offset
    }

    public var parameterCount: Int { members * (width + 1) }

    public func initialize(_ params: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        let bound = 1 / Double(width).squareRoot()
        for i in 0..<parameterCount { params[offset + i] = Float(rng.uniform(-bound, bound)) }
    }

    public func forward(
        _ params: UnsafePointer<Float>, z: UnsafePointer<Float>, prediction: UnsafeMutablePointer<Float>,
        count n: Int
    ) {
        let w = params + offset, b = w + members * width
        for j in 0..<members {
            BLAS.gemv(
                m: n, n: width, a: z + j * width, lda: members * width, x: w + j * width,
                y: prediction + j * n)
            for i in 0..<n { prediction[j * n + i] += b[j] }
        }
    }

    /// dw_j = Σ_i dŷ_ji z[i·k + j], db_j = Σ_i dŷ_ji, and dz[i·k + j] = dŷ_ji · w_j.
    public func backward(
        _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>, z: UnsafePointer<Float>,
        dPrediction: UnsafePointer<Float>, dz: UnsafeMutablePointer<Float>, count n: Int
    ) {
        let w = params + offset, dw = grads + offset, db = dw + members * width
        for j in 0..<members {
            let dy = dPrediction + j * n
            BLAS.gemvTransposed(m: n, n: width, a: z + j * width, lda: members * width, x: dy, y: dw + j * width)
            var sum: Float = 0
            for i in 0..<n { sum += dy[i] }
            db[j] = sum
            let wj = w + j * width
            for i in 0..<n {
                let out = dz + (i * members + j) * width, d = dy[i]
                for c in 0..<width { out[c] = d * wj[c] }
            }
        }
    }
}
