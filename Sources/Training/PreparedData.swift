// The data as training sees it: loaded and checked splits, feature standardisation
// from training statistics, bins, and the per-sample LDS weights.
import Checkpoints
import Collectives
import DIR
import Datasets
import Fingerprints
import NN
import Settings

/// Loaded, validated data shared by training and evaluation on one rank.
public final class PreparedData {
    public let bundle: DatasetBundle
    public let binning: Binning
    /// Global training histogram over `binning`.
    public let trainCounts: [Double]
    public let labelWeights: LabelWeights
    /// Per-sample weight of every training row (all ones without reweighting).
    public let trainWeights: [Float]
    public let trainBins: [Int32]
    /// Training labels as Float32 (the loss's targets).
    public let trainTargets: [Float]
    /// What the loss sees of the targets, and how predictions return to the user's units.
    public let targetScale: TargetScale
    /// Standardisation: x' = (x − mean) · invStd, from training-set statistics
    /// (mean 0 and invStd 1 without `standardizeFeatures`).
    public let mean: [Float]
    public let invStd: [Float]
    /// A hash of the shapes, the labels and a few feature rows, to check ranks agree.
    public let fingerprint: UInt64
    /// Balanced MSE's label prior in the target's units: GAI's mixture of the training
    /// labels or BNI's buckets of their histogram (nil otherwise).
    public let labelPrior: LabelPrior?
    /// The piecewise-linear encoding's bin edges per feature, at quantiles of the
    /// standardised training features (nil without that embedding). Every rank holds
    /// every training row, so every rank computes the same edges whatever the rank count.
    public let binEdges: [[Float]]?
    /// Levels of each categorical column the model embeds, given as level codes in the
    /// last feature columns (not standardised, no numerical embedding).
    public let categories: [Int]

    public var featureCount: Int { bundle.train.features.columns }
    /// Feature columns before the category codes.
    public var numericCount: Int { featureCount - categories.count }

    /// A hash of every training sample's weight (LDS, DenseWeight), stored in checkpoints.
    public var weightsFingerprint: UInt64 {
        var h = Fingerprint()
        for w in trainWeights { h.add(UInt64(w.bitPattern)) }
        return h.value()
    }

    /// Loads on every rank. A rank's own failure is thrown; call through `Agreement`
    /// so that all ranks learn the verdict.
    public init(recipe: Recipe, comm: Communicator) throws {
        // Loading is agreed on first, then what was loaded: both before any collective
        // whose sizes depend on the data (bins, moments), which would not match.
        let bundle = try Agreement.together(comm) { () throws -> DatasetBundle in
            let b = try DataCache.bundle(recipe.data, target: recipe.target, categorical: recipe.categorical ?? [])
            try Self.checkShapes(b)
            return b
        }
        let fingerprint = Self.fingerprint(bundle)
        if let differing = Agreement.ranksDiffering(from: fingerprint, comm) {
            throw InputError(
                "data",
                "ranks disagree: \(differing.ranks) read other data files than rank 0 on \(differing.rootHost) "
                    + "(a different copy on that node?)")
        }
        self.fingerprint = fingerprint
        self.bundle = bundle
        let train = bundle.train
        let binning = try recipe.binning.resolve(trainLabels: train.labels)
        let trainBins = train.labels.map { Int32(binning.bin($0)) }
        self.binning = binning
        self.trainBins = trainBins
        // The labels are on every rank, so this equals the allreduced histogram
        // of the shards; summing shards keeps the protocol of docs/protocol.md §1 explicit.
        var counts = [Double](repeating: 0, count: binning.count)
        for i in Self.shard(train.count, comm) { counts[Int(trainBins[i])] += 1 }
        comm.allreduce(&counts)
        trainCounts = counts
        let (table, sampleWeights) = try Self.weights(recipe, labels: train.labels, bins: trainBins, counts: counts)
        labelWeights = table
        trainWeights = sampleWeights.map { Float($0) }
        let targetScale = Self.targetScale(recipe.targetScaling, train.labels)
        self.targetScale = targetScale
        trainTargets = train.labels.map { Float(targetScale.toModel($0)) }
        let categories = bundle.schema?.embeddedLevels ?? []
        self.categories = categories
        var (mean, invStd) = (
            [Float](repeating: 0, count: train.features.columns), [Float](repeating: 1, count: train.features.columns)
        )
        if recipe.standardizeFeatures {
            (mean, invStd) = Self.standardisation(train.features)
            // Level codes go to the embedding as they are.
            for j in (train.features.columns - categories.count)..<train.features.columns {
                (mean[j], invStd[j]) = (0, 1)
            }
        }
        (self.mean, self.invStd) = (mean, invStd)
        labelPrior = try Self.labelPrior(recipe, labels: train.labels, binning: binning, comm: comm)
        if case .piecewiseLinear(let bins)? = recipe.embedding {
            let edges = Self.quantileEdges(train.features, mean: mean, invStd: invStd, bins: bins)
            binEdges = Array(edges.prefix(train.features.columns - categories.count))
        } else {
            binEdges = nil
        }
    }

    /// The encoding's edges from every training row, standardised as the model sees it.
    private static func quantileEdges(_ x: FeatureMatrix, mean: [Float], invStd: [Float], bins: Int) -> [[Float]] {
        let all = FloatBuffer(count: x.rows * x.columns)
        let rows = (0..<x.rows).map { Int32($0) }
        rows.withUnsafeBufferPointer { x.gather($0, mean: mean, invStd: invStd, into: all.pointer) }
        return PiecewiseLinearEncoding.quantileEdges(all.pointer, rows: x.rows, features: x.columns, bins: bins)
    }

    /// Feature columns that carry nothing for the recipe's embedding: constant in the
    /// training split (PLE gives them no bin; the periodic embedding sees only zeros).
    public var constantColumns: [Int] {
        (0..<numericCount).filter { j in
            let x = bundle.train.features
            let first = x.value(0, j)
            return (0..<x.rows).allSatisfy { x.value($0, j) == first }
        }
    }

    /// GAI's mixture (fitted on rank 0, every rank gets its bits) or BNI's buckets. The
    /// check that can fail runs on every rank first, so no rank waits for a broadcast
    /// that will not come.
    private static func labelPrior(_ recipe: Recipe, labels: [Double], binning: Binning, comm: Communicator) throws
        -> LabelPrior?
    {
        guard let settings = recipe.balancedMSE else { return nil }
        switch settings.kind {
        case .bmc:
            return nil
        case .bni:
            return LabelPrior.buckets(labels: labels, binning: binning)
        case .gai:
            let k = settings.components, distinct = Set(labels).count
            guard distinct >= k else {
                throw SettingError(
                    .gaiComponents,
                    "\(k) mixture components need as many distinct training labels; there are \(distinct)")
            }
            var flat = [Double](repeating: 0, count: 3 * k)
            if comm.isRoot, let fit = GaussianMixture.fit(labels, components: k, seed: recipe.seed) {
                flat = fit.flat
            }
            comm.broadcast(&flat)
            return LabelPrior(flat: flat)
        }
    }

    /// Every training sample's loss weight, and the per-bin table that shows it: from the
    /// bins (inverse, sqrt_inv, LDS), or from DenseWeight's KDE of all training labels
    /// (every rank holds them all, so every rank fits the same weights).
    public static func weights(_ recipe: Recipe, labels: [Double], bins: [Int32], counts: [Double]) throws
        -> (LabelWeights, [Double])
    {
        guard recipe.reweight == .denseWeight else {
            let table = LabelWeights(counts: counts, reweight: recipe.reweight, kernel: recipe.lds)
            return (table, bins.map { table.weight(bin: Int($0)) })
        }
        let settings = recipe.denseWeight
        let spread = (labels.max() ?? 0) - (labels.min() ?? 0)
        if settings.bandwidth == nil && (labels.count < 2 || spread == 0) {
            throw SettingError(
                .denseWeightBandwidth, "every training label is equal, so the default bandwidth would be 0; give one")
        }
        let bandwidth = settings.bandwidth ?? DenseWeight.normalReferenceBandwidth(labels)
        if let problem = DenseWeight.problem(bandwidth: bandwidth, count: labels.count) {
            throw SettingError(
                .denseWeightBandwidth, settings.bandwidth == nil ? "the default bandwidth: \(problem)" : "\(problem)")
        }
        let fit = DenseWeight(labels: labels, alpha: settings.alpha, bandwidth: bandwidth)
        return (LabelWeights(counts: counts, sampleBins: bins, sampleWeights: fit.weights), fit.weights)
    }

    /// Mean and population standard deviation of the training targets, from Σy and Σy²
    /// over every row in order (identity without scaling). Every rank holds every label,
    /// so every rank count sums them in the same order and gets the same bits.
    private static func targetScale(_ scaling: TargetScaling, _ labels: [Double]) -> TargetScale {
        guard scaling == .standard else { return TargetScale(mean: 0, std: 1) }
        var sums = [0.0, 0.0]
        for y in labels {
            sums[0] += y
            sums[1] += y * y
        }
        let n = Double(labels.count)
        let mean = sums[0] / n
        let sd = max(sums[1] / n - mean * mean, 0).squareRoot()
        return TargetScale(mean: mean, std: sd > 1e-12 * max(1, abs(mean)) ? sd : 1)
    }

    /// This rank's contiguous share of `count` rows.
    public static func shard(_ count: Int, _ comm: Communicator) -> Range<Int> {
        (comm.rank * count / comm.size)..<((comm.rank + 1) * count / comm.size)
    }

    private static func checkShapes(_ b: DatasetBundle) throws {
        if b.train.features.columns == 0 {
            throw InputError(b.train.source, "no feature columns besides the target")
        }
        for s in b.splits where s.features.columns != b.train.features.columns {
            throw InputError(
                s.source, "\(s.features.columns) features, but the training split has \(b.train.features.columns)")
        }
        for s in b.splits where s.count == 0 {
            throw InputError(s.source, "the \(s.name) split has no rows")
        }
    }

    /// Per-column mean and 1/std (population std; 1 where a column is constant), from Σx
    /// and Σx² over every row in order: the same bits for any rank count (a sum of the
    /// ranks' shards would round by the rank count).
    private static func standardisation(_ x: FeatureMatrix) -> ([Float], [Float]) {
        var sums = [Double](repeating: 0, count: 2 * x.columns)
        x.accumulateMoments(rows: 0..<x.rows, into: &sums)
        let n = Double(x.rows)
        var mean = [Float](), invStd = [Float]()
        for j in 0..<x.columns {
            let m = sums[j] / n
            let variance = max(sums[x.columns + j] / n - m * m, 0)
            let sd = variance.squareRoot()
            mean.append(Float(m))
            invStd.append(sd > 1e-12 * max(1, abs(m)) ? Float(1 / sd) : 1)
        }
        return (mean, invStd)
    }

    /// First non-finite feature in this rank's shard of every split, as an error.
    public func checkFinite(comm: Communicator) throws {
        for s in bundle.splits {
            if let (row, column) = s.features.firstNonFinite(rows: Self.shard(s.count, comm)) {
                throw InputError(
                    s.source,
                    "row \(row), column \(column): feature value \(s.features.value(row, column)) is not finite")
            }
        }
    }

    private static func fingerprint(_ b: DatasetBundle) -> UInt64 {
        var h = Fingerprint()
        for s in b.splits {
            h.add(UInt64(s.count))
            h.add(UInt64(s.features.columns))
            for y in s.labels { h.add(y.bitPattern) }
            for row in [0, s.count / 2, s.count - 1] where row >= 0 && row < s.count {
                for j in 0..<s.features.columns { h.add(s.features.value(row, j).bitPattern) }
            }
        }
        return h.value()
    }
}

/// Targets as the loss sees them: y' = (y − mean) / std; predictions return as ŷ·std + mean.
public struct TargetScale: Codable, Sendable, Equatable {
    public let mean: Double
    public let std: Double

    public init(mean: Double, std: Double) {
        self.mean = mean
        self.std = std
    }

    public func toModel(_ y: Double) -> Double { (y - mean) / std }
    public func toUser(_ prediction: Float) -> Double { Double(prediction) * std + mean }
}
