// The embedded default data set and its deterministic DIR-style split:
// a test and a validation set balanced over ring counts, the rest for training.
import PRNG

/// UCI Abalone (age in rings from physical measurements), see `AbaloneData.swift`.
///
/// Split: samples are grouped by ring count (1–29) and each group is shuffled with
/// a fixed seed. A group of n samples gives min(15, n/4) to test and min(10, n/4)
/// to validation (integer division), the rest to training. Test and validation
/// are thus balanced across common ages, and rare ages stay in training, as in
/// the DIR benchmarks' balanced evaluation sets.
public enum Abalone {
    public static let source = "<embedded abalone>"
    public static let testCap = 15
    public static let validationCap = 10
    static let splitSeed: UInt64 = 1994

    public static func bundle() throws -> DatasetBundle {
        let all = try CSVFile.parse(abaloneCSV, source: source, target: "target", split: "all")
        var groups = [Int: [Int]]()
        for (i, y) in all.labels.enumerated() { groups[Int(y), default: []].append(i) }
        var train = [Int](), validation = [Int](), test = [Int]()
        for ring in groups.keys.sorted() {
            var rng = Xoshiro256(seed: splitSeed, stream: UInt64(ring))
            let members = rng.permutation(groups[ring]!.count).map { groups[ring]![Int($0)] }
            let nTest = min(testCap, members.count / 4)
            let nValidation = min(validationCap, members.count / 4)
            test += members[0..<nTest]
            validation += members[nTest..<(nTest + nValidation)]
            train += members[(nTest + nValidation)...]
        }
        return DatasetBundle(
            train: subset(all, train.sorted(), "train"),
            validation: subset(all, validation.sorted(), "validation"),
            test: subset(all, test.sorted(), "test"))
    }

    static func subset(_ split: Split, _ rows: [Int], _ name: String) -> Split {
        let c = split.features.columns
        var values = [Float]()
        values.reserveCapacity(rows.count * c)
        for r in rows {
            for j in 0..<c { values.append(Float(split.features.value(r, j))) }
        }
        return Split(
            name: name, source: split.source,
            features: FeatureMatrix(rows: rows.count, columns: c, values: values),
            labels: rows.map { split.labels[$0] }, featureNames: split.featureNames)
    }
}
