// A deterministic synthetic long-tailed regression set with a known ground truth,
// for tests and scaling runs of any size.
import Foundation
import PRNG

/// x ~ N(0, I_d); t = u·x / sqrt(d) with a fixed random unit-variance direction u;
/// ground truth f(x) = 10 · exp(0.6 t) (log-normal, so labels are long-tailed to the
/// right); y = f(x) + N(0, noise²). Splits use disjoint streams of the same seed.
public struct Synthetic: Codable, Sendable, Equatable {
    public var trainCount: Int
    public var testCount: Int
    public var featureCount: Int
    public var noise: Double
    public var seed: UInt64

    public init(
        trainCount: Int = 4096, testCount: Int = 1024, featureCount: Int = 16,
        noise: Double = 0.5, seed: UInt64 = 7
    ) {
        self.trainCount = trainCount
        self.testCount = testCount
        self.featureCount = featureCount
        self.noise = noise
        self.seed = seed
    }

    /// The noiseless target of a feature row.
    public func groundTruth(_ x: [Double]) -> Double {
        var rng = Xoshiro256(seed: seed, stream: 99)
        var t = 0.0
        for v in x { t += rng.normal() * v }
        return 10 * exp(0.6 * t / Double(featureCount).squareRoot())
    }

    public func bundle() -> DatasetBundle {
        DatasetBundle(
            train: make(trainCount, "train", 1), validation: make(testCount, "validation", 2),
            test: make(testCount, "test", 3))
    }

    private func make(_ n: Int, _ name: String, _ stream: UInt64) -> Split {
        var rng = Xoshiro256(seed: seed, stream: stream)
        var direction = Xoshiro256(seed: seed, stream: 99)
        let u = (0..<featureCount).map { _ in direction.normal() }
        var values = [Float]()
        values.reserveCapacity(n * featureCount)
        var labels = [Double]()
        labels.reserveCapacity(n)
        for _ in 0..<n {
            var t = 0.0
            for j in 0..<featureCount {
                let x = rng.normal()
                values.append(Float(x))
                t += u[j] * x
            }
            labels.append(10 * exp(0.6 * t / Double(featureCount).squareRoot()) + noise * rng.normal())
        }
        return Split(
            name: name, source: "<synthetic seed \(seed)>",
            features: FeatureMatrix(rows: n, columns: featureCount, values: values),
            labels: labels, featureNames: (0..<featureCount).map { "x\($0)" })
    }
}
