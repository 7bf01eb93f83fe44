// One file in, three splits out: validation and test rows taken evenly across the label
// range (as the DIR benchmarks build theirs, so the tail is measured), or at random.
import PRNG

/// How one table is split into train, validation and test rows.
public struct RowSplit: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// The same number of validation and test rows from every label bin (at most a
        /// quarter of a bin each), the rest for training.
        case dir
        /// Rows drawn at random.
        case random
    }

    public var kind: Kind
    public var validationFraction: Double
    public var testFraction: Double
    public var seed: UInt64
    /// Equal-width label bins of the `dir` split.
    public static let bins = 30

    public init(kind: Kind, validationFraction: Double = 0.1, testFraction: Double = 0.1, seed: UInt64 = 0) {
        self.kind = kind
        self.validationFraction = validationFraction
        self.testFraction = testFraction
        self.seed = seed
    }

    /// What is wrong with the fractions, or nil.
    public var problem: String? {
        guard validationFraction > 0, testFraction > 0, validationFraction + testFraction < 1 else {
            return "validation and test fractions must be positive and sum below 1, got \(validationFraction) and "
                + "\(testFraction)"
        }
        return nil
    }

    /// Row indices of train, validation and test (each ascending) for these labels.
    public func assign(_ labels: [Double]) -> [[Int]] {
        var train = [Int](), validation = [Int](), test = [Int]()
        switch kind {
        case .random:
            var rng = Xoshiro256(seed: seed, stream: 0x5B17)
            let order = rng.permutation(labels.count).map(Int.init)
            let nTest = Int((testFraction * Double(labels.count)).rounded())
            let nValidation = Int((validationFraction * Double(labels.count)).rounded())
            test = Array(order.prefix(nTest))
            validation = Array(order.dropFirst(nTest).prefix(nValidation))
            train = Array(order.dropFirst(nTest + nValidation))
        case .dir:
            let lo = labels.min() ?? 0, hi = labels.max() ?? 0
            var groups = [[Int]](repeating: [], count: Self.bins)
            for (i, y) in labels.enumerated() {
                let b = hi > lo ? Int((y - lo) / (hi - lo) * Double(Self.bins)) : 0
                groups[min(max(b, 0), Self.bins - 1)].append(i)
            }
            let filled = Double(groups.filter { !$0.isEmpty }.count)
            let n = Double(labels.count)
            let testQuota = Int((testFraction * n / filled).rounded(.up))
            let validationQuota = Int((validationFraction * n / filled).rounded(.up))
            for (b, members) in groups.enumerated() where !members.isEmpty {
                var rng = Xoshiro256(seed: seed, stream: 0xD1_0000 &+ UInt64(b))
                let shuffled = rng.permutation(members.count).map { members[Int($0)] }
                let nTest = min(testQuota, members.count / 4)
                let nValidation = min(validationQuota, members.count / 4)
                test += shuffled[0..<nTest]
                validation += shuffled[nTest..<(nTest + nValidation)]
                train += shuffled[(nTest + nValidation)...]
            }
        }
        return [train.sorted(), validation.sorted(), test.sorted()]
    }
}
