// DIR evaluation (docs/specification.md §5): MSE, MAE, G-Mean and Pearson overall and per shot
// (many / median / few by training-bin count), built from additive per-bin sums.

#if canImport(Glibc)
    import Glibc
#endif

public enum Shot: String, CaseIterable, Sendable {
    case many, median, few
}

/// Shot thresholds: many if n_b > many, few if n_b < few, else median.
public struct ShotThresholds: Codable, Sendable, Equatable {
    public var many: Double
    public var few: Double
    public init(many: Double = 100, few: Double = 20) {
        self.many = many
        self.few = few
    }
    public func shot(trainCount n: Double) -> Shot {
        n > many ? .many : (n < few ? .few : .median)
    }
}

/// Additive sums over a set of predictions; per-bin instances are summed
/// across ranks (one allreduce of `ErrorSums.width` doubles per bin) and then across bins.
public struct ErrorSums: Sendable, Equatable {
    public static let width = 10
    public var n = 0.0, absError = 0.0, squaredError = 0.0, logAbsError = 0.0, zeroCount = 0.0
    public var sumP = 0.0, sumY = 0.0, sumPP = 0.0, sumYY = 0.0, sumPY = 0.0

    public init() {}

    public mutating func add(prediction p: Double, target y: Double) {
        let e = p - y
        n += 1
        absError += abs(e)
        squaredError += e * e
        if e == 0 { zeroCount += 1 } else { logAbsError += log(abs(e)) }
        sumP += p
        sumY += y
        sumPP += p * p
        sumYY += y * y
        sumPY += p * y
    }

    public static func + (a: ErrorSums, b: ErrorSums) -> ErrorSums {
        var s = a
        s.n += b.n
        s.absError += b.absError
        s.squaredError += b.squaredError
        s.logAbsError += b.logAbsError
        s.zeroCount += b.zeroCount
        s.sumP += b.sumP
        s.sumY += b.sumY
        s.sumPP += b.sumPP
        s.sumYY += b.sumYY
        s.sumPY += b.sumPY
        return s
    }

    public var flat: [Double] {
        [n, absError, squaredError, logAbsError, zeroCount, sumP, sumY, sumPP, sumYY, sumPY]
    }

    public init(flat v: ArraySlice<Double>) {
        let v = Array(v)
        (n, absError, squaredError, logAbsError, zeroCount) = (v[0], v[1], v[2], v[3], v[4])
        (sumP, sumY, sumPP, sumYY, sumPY) = (v[5], v[6], v[7], v[8], v[9])
    }

    public var metrics: Metrics {
        guard n > 0 else { return Metrics(count: 0, mse: nil, mae: nil, gmean: nil, pearson: nil) }
        // The reference's G-Mean is 0 as soon as one error is exactly 0.
        let gmean = zeroCount > 0 ? 0 : exp(logAbsError / n)
        let cov = sumPY / n - (sumP / n) * (sumY / n)
        let varP = sumPP / n - (sumP / n) * (sumP / n)
        let varY = sumYY / n - (sumY / n) * (sumY / n)
        let pearson: Double? = varP > 0 && varY > 0 ? cov / (varP * varY).squareRoot() : nil
        return Metrics(
            count: Int(n), mse: squaredError / n, mae: absError / n, gmean: gmean,
            pearson: pearson)
    }
}

public struct Metrics: Sendable, Equatable {
    public let count: Int
    public let mse: Double?
    public let mae: Double?
    public let gmean: Double?
    public let pearson: Double?
}

/// Metrics overall and per shot, with the per-bin sums they came from.
public struct ShotReport: Sendable {
    public let all: Metrics
    public let shots: [Shot: Metrics]
    public let perBin: [ErrorSums]

    /// - Parameters:
    ///   - perBin: global per-bin sums (index = test label's bin).
    ///   - trainCounts: global training histogram over the same bins.
    public init(perBin: [ErrorSums], trainCounts: [Double], thresholds: ShotThresholds) {
        self.perBin = perBin
        var total = ErrorSums()
        var byShot = [Shot: ErrorSums]()
        for shot in Shot.allCases { byShot[shot] = ErrorSums() }
        for (b, s) in perBin.enumerated() {
            total = total + s
            byShot[thresholds.shot(trainCount: trainCounts[b])]! =
                byShot[thresholds.shot(trainCount: trainCounts[b])]! + s
        }
        all = total.metrics
        shots = byShot.mapValues { $0.metrics }
    }
}
