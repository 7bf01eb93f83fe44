// The 1-D Gaussian mixture of GAI's label prior (docs/peer-methods.md §1.3), fitted by dir-dist
// itself: the reference uses scikit-learn's GaussianMixture, whose EM result depends
// on its version, so this follows the same recipe rather than its bits: k-means++
// seeding (from the run's seed), Lloyd's k-means, then EM with the variance floor
// 1e-6, stopping when the mean log-likelihood changes by less than 1e-3 or after 100
// iterations. Deterministic: the same labels and seed give the same mixture.
import PRNG

#if canImport(Glibc)
    import Glibc
#endif

public enum GaussianMixture {
    public static let varianceFloor = 1e-6
    public static let tolerance = 1e-3
    public static let maxIterations = 100

    /// A `components`-component mixture of `labels`. Needs at least `components`
    /// distinct labels (`nil` otherwise).
    public static func fit(_ labels: [Double], components k: Int, seed: UInt64) -> LabelPrior? {
        guard k >= 1, Set(labels).count >= k else { return nil }
        let centres = kMeans(labels, k: k, seed: seed)
        // Start EM from the k-means partition (hard responsibilities), as scikit-learn does.
        var resp = [Double](repeating: 0, count: labels.count * k)
        for (i, y) in labels.enumerated() { resp[i * k + nearest(y, centres)] = 1 }
        var prior = maximization(labels, resp, k)
        var previous = -Double.infinity
        for _ in 0..<maxIterations {
            let bound = expectation(labels, prior, &resp)
            prior = maximization(labels, resp, k)
            if abs(bound - previous) < tolerance { break }
            previous = bound
        }
        return prior
    }

    /// Centres by k-means++ seeding and Lloyd iterations (until no label changes centre).
    static func kMeans(_ labels: [Double], k: Int, seed: UInt64) -> [Double] {
        var rng = Xoshiro256(seed: seed, stream: 0x6A1)
        var centres = [labels[rng.below(labels.count)]]
        var distance = labels.map { ($0 - centres[0]) * ($0 - centres[0]) }
        while centres.count < k {
            // The next centre with probability ∝ squared distance to the nearest one so far.
            var target = rng.nextUnit() * distance.reduce(0, +)
            var pick = labels.count - 1
            for (i, d) in distance.enumerated() where d > 0 {
                target -= d
                if target <= 0 {
                    pick = i
                    break
                }
            }
            centres.append(labels[pick])
            for (i, y) in labels.enumerated() {
                distance[i] = min(distance[i], (y - labels[pick]) * (y - labels[pick]))
            }
        }
        var assignment = [Int](repeating: -1, count: labels.count)
        for _ in 0..<maxIterations {
            var changed = false
            var sums = [Double](repeating: 0, count: k), counts = [Double](repeating: 0, count: k)
            for (i, y) in labels.enumerated() {
                let c = nearest(y, centres)
                if c != assignment[i] { (assignment[i], changed) = (c, true) }
                sums[c] += y
                counts[c] += 1
            }
            for c in 0..<k where counts[c] > 0 { centres[c] = sums[c] / counts[c] }
            if !changed { break }
        }
        return centres
    }

    private static func nearest(_ y: Double, _ centres: [Double]) -> Int {
        var best = 0
        for c in 1..<centres.count where abs(y - centres[c]) < abs(y - centres[best]) { best = c }
        return best
    }

    /// Responsibilities into `resp`; returns the mean log-likelihood.
    private static func expectation(_ labels: [Double], _ prior: LabelPrior, _ resp: inout [Double]) -> Double {
        let k = prior.means.count
        var logLikelihood = 0.0
        var logp = [Double](repeating: 0, count: k)
        for (i, y) in labels.enumerated() {
            var top = -Double.infinity
            for c in 0..<k {
                let d = y - prior.means[c]
                logp[c] =
                    log(prior.weights[c]) - 0.5 * log(2 * Double.pi * prior.variances[c]) - 0.5 * d * d
                    / prior.variances[c]
                top = max(top, logp[c])
            }
            var sum = 0.0
            for c in 0..<k { sum += exp(logp[c] - top) }
            let norm = top + log(sum)
            logLikelihood += norm
            for c in 0..<k { resp[i * k + c] = exp(logp[c] - norm) }
        }
        return logLikelihood / Double(labels.count)
    }

    private static func maximization(_ labels: [Double], _ resp: [Double], _ k: Int) -> LabelPrior {
        var mass = [Double](repeating: 0, count: k), sums = mass, squares = mass
        for (i, y) in labels.enumerated() {
            for c in 0..<k {
                let r = resp[i * k + c]
                mass[c] += r
                sums[c] += r * y
            }
        }
        // A component that lost every label keeps a tiny mass (scikit-learn adds 10·eps).
        mass = mass.map { $0 + 10 * Double.ulpOfOne }
        let means = (0..<k).map { sums[$0] / mass[$0] }
        for (i, y) in labels.enumerated() {
            for c in 0..<k { squares[c] += resp[i * k + c] * (y - means[c]) * (y - means[c]) }
        }
        let total = mass.reduce(0, +)
        return LabelPrior(
            means: means, variances: (0..<k).map { squares[$0] / mass[$0] + varianceFloor },
            weights: mass.map { $0 / total })
    }
}
