// PLE: the piecewise-linear encoding of each numerical feature (Gorishniy et al.,
// NeurIPS 2022) between bin edges at training quantiles. It has no parameters; the
// first hidden layer learns from the encoded columns.

/// `PiecewiseLinearEncoding(edges)`: x[n×F] → e[n×W], W = Σ_f (edges_f.count − 1).
/// Within feature f's bins t = 1…T: e_t = (x − b_{t−1}) / (b_t − b_{t−1}) clipped to
/// [0, 1], except that the first bin is not clipped below and the last not above (the
/// encoding extrapolates linearly beyond the training range). A feature with fewer than
/// two distinct edges encodes to no column.
public struct PiecewiseLinearEncoding {
    /// Ascending, distinct edges per feature (in the standardised units the model sees).
    public let edges: [[Float]]
    public let outputSize: Int
    private let firstColumn: [Int]

    public init(edges: [[Float]]) {
        self.edges = edges
        var first = [Int](), width = 0
        for e in edges {
            first.append(width)
            width += max(e.count - 1, 0)
        }
        firstColumn = first
        outputSize = width
    }

    /// Edges at the q/T quantiles (q = 0…T) of each column of x[rows×F], duplicates
    /// dropped: a column with few distinct values gets fewer bins, a constant one none.
    public static func quantileEdges(
        _ x: UnsafePointer<Float>, rows: Int, features: Int, bins: Int
    ) -> [[Float]] {
        var column = [Float](repeating: 0, count: rows)
        return (0..<features).map { f in
            for i in 0..<rows { column[i] = x[i * features + f] }
            column.sort()
            guard rows > 0 else { return [] }
            var edges = [Float]()
            for q in 0...bins {
                // The lower order statistic of the q/T quantile: exact, no interpolation.
                let value = column[min(rows - 1, q * (rows - 1) / bins)]
                if edges.last.map({ value > $0 }) ?? true { edges.append(value) }
            }
            return edges
        }
    }

    /// e[n×W] from x[n×F].
    public func forward(_ x: UnsafePointer<Float>, output e: UnsafeMutablePointer<Float>, count n: Int) {
        let features = edges.count
        for i in 0..<n {
            let row = e + i * outputSize
            for f in 0..<features {
                let b = edges[f], bins = b.count - 1
                guard bins > 0 else { continue }
                let value = x[i * features + f], out = row + firstColumn[f]
                for t in 0..<bins {
                    var u = (value - b[t]) / (b[t + 1] - b[t])
                    if t > 0 { u = max(u, 0) }
                    if t < bins - 1 { u = min(u, 1) }
                    out[t] = u
                }
            }
        }
    }
}
