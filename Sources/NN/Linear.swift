// Fully connected layer y = x W + b, forward next to its backward.
// Weights live in slices of the model's flat parameter and gradient buffers.
import PRNG

/// `Linear(inputSize, outputSize)`: `y[n×out] = x[n×in] · W[in×out] + b[out]`.
/// W is stored row-major `[in×out]` followed by b, in one slice of the flat
/// parameter buffer; the gradient slice has the same layout.
public struct Linear {
    public let inputSize: Int
    public let outputSize: Int
    /// Offset of W (then b) in the flat buffers.
    public let offset: Int

    public var parameterCount: Int { inputSize * outputSize + outputSize }

    public init(_ inputSize: Int, _ outputSize: Int, offset: Int) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        self.offset = offset
    }

    /// PyTorch's default: W and b uniform in ±1/sqrt(inputSize).
    public func initialize(_ params: UnsafeMutablePointer<Float>, rng: inout Xoshiro256) {
        let bound = 1 / Double(inputSize).squareRoot()
        for i in 0..<parameterCount {
            params[offset + i] = Float(rng.uniform(-bound, bound))
        }
    }

    /// y[n×out] = x[n×in] · W + b.
    public func forward(
        _ params: UnsafePointer<Float>, x: UnsafePointer<Float>,
        y: UnsafeMutablePointer<Float>, count n: Int
    ) {
        let w = params + offset
        let b = w + inputSize * outputSize
        for row in 0..<n {
            (y + row * outputSize).update(from: b, count: outputSize)
        }
        BLAS.gemm(
            m: n, n: outputSize, k: inputSize, a: x, lda: inputSize,
            b: w, ldb: outputSize, beta: 1, c: y, ldc: outputSize)
    }

    /// Given dy[n×out]: dW = xᵀ dy, db = 1ᵀ dy (overwritten), and, when `dx`
    /// is given, dx[n×in] = dy Wᵀ. `ones` holds at least n ones.
    public func backward(
        _ params: UnsafePointer<Float>, grads: UnsafeMutablePointer<Float>,
        x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>?, ones: UnsafePointer<Float>,
        count n: Int
    ) {
        let dw = grads + offset
        let db = dw + inputSize * outputSize
        if n == 0 {
            dw.update(repeating: 0, count: parameterCount)
        } else {
            BLAS.gemm(
                transA: true, m: inputSize, n: outputSize, k: n, a: x, lda: inputSize,
                b: dy, ldb: outputSize, beta: 0, c: dw, ldc: outputSize)
        }
        BLAS.gemvTransposed(m: n, n: outputSize, a: dy, lda: outputSize, x: ones, y: db)
        if let dx {
            BLAS.gemm(
                transB: true, m: n, n: inputSize, k: outputSize, a: dy, lda: outputSize,
                b: params + offset, ldb: outputSize, beta: 0, c: dx, ldc: inputSize)
        }
    }
}

/// ReLU in place: a = max(z, 0). Backward masks dy where the output was 0,
/// which equals masking on z > 0. Eight lanes at a time: the element loop with a
/// branch did not vectorise. NaN stays NaN (it is not below 0), so a diverging run
/// still reaches the non-finite-loss stop.
public enum ReLU {
    @inline(__always)
    public static func forward(_ z: UnsafeMutablePointer<Float>, count: Int) {
        let zero = Lanes.Vector(repeating: 0)
        var i = 0
        while i + Lanes.scalarCount <= count {
            let v = Lanes.load(z + i)
            Lanes.store(v.replacing(with: zero, where: v .< zero), z + i)
            i += Lanes.scalarCount
        }
        while i < count {
            if z[i] < 0 { z[i] = 0 }
            i += 1
        }
    }

    @inline(__always)
    public static func backward(
        output a: UnsafePointer<Float>, dy: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        let zero = Lanes.Vector(repeating: 0)
        var i = 0
        while i + Lanes.scalarCount <= count {
            let d = Lanes.load(dy + i)
            Lanes.store(d.replacing(with: zero, where: Lanes.load(a + i) .<= zero), dy + i)
            i += Lanes.scalarCount
        }
        while i < count {
            if a[i] <= 0 { dy[i] = 0 }
            i += 1
        }
    }
}
