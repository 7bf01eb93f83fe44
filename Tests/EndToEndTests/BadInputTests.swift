// The bad-input corpus: malformed files, .npy headers, shapes, values, options,
// label ranges and checkpoint files. Each gives one `error:` line naming the file,
// line or option and the value, exit status 2, and no rank left waiting (30 s),
// under real mpirun with 2 and 3 ranks (alternating).
import Foundation
import TestSupport
import XCTest

final class BadInputTests: XCTestCase {
    let dir = Paths.temporaryDirectory("bad")

    private func text(_ name: String, _ content: String) -> String {
        Fixtures.writeText(dir.appendingPathComponent(name), content).path
    }

    private func npy(_ name: String, descr: String = "<f4", fortran: Bool = false, shape: [Int], bytes: Int? = nil)
        -> String
    {
        let size = bytes ?? shape.reduce(1, *) * (descr.hasSuffix("8") ? 8 : 4)
        let values = (0..<size).map { UInt8($0 % 7) }  // small positive floats for '<f4'
        return Fixtures.writeNpy(
            dir.appendingPathComponent(name), descr: descr, fortranOrder: fortran, shape: shape,
            payload: Data(values)
        ).path
    }

    private var good: String { text("good.csv", Fixtures.csv(rows: 40)) }

    /// --train FILE with good validation and test splits.
    private func train(_ file: String, val: String? = nil, test: String? = nil) -> [String] {
        ["--train", file, "--val", val ?? good, "--test", test ?? good, "--epochs", "1"]
    }

    private func npySplits(x: String, y: String) -> [String] {
        let gx = Fixtures.writeNpy(
            dir.appendingPathComponent("gx.npy"), shape: [10, 2], payload: Fixtures.float32((0..<20).map(Float.init))
        ).path
        let gy = Fixtures.writeNpy(
            dir.appendingPathComponent("gy.npy"), descr: "<f8", shape: [10],
            payload: Fixtures.float64((0..<10).map(Double.init))
        ).path
        return [
            "--train", x, "--train-y", y, "--val", gx, "--val-y", gy, "--test", gx, "--test-y", gy, "--epochs", "1",
        ]
    }

    private var corpus: [(name: String, arguments: [String], message: String)] {
        let missing = dir.appendingPathComponent("nope.csv").path
        let y10 = npy("y10.npy", descr: "<f8", shape: [10])
        let x10 = Fixtures.writeNpy(
            dir.appendingPathComponent("x10.npy"), shape: [10, 2], payload: Fixtures.float32((0..<20).map(Float.init))
        ).path
        let notCheckpoint = text("model.ckpt", "this is not a checkpoint at all, just text")
        let aFile = text("plain.txt", "x")
        let oneRow = text("one-row.csv", "f0,f1,f2,target\n1,2,3,4\n")
        let cases: [(String, [String], String)] = [
            ("missing file", train(missing), "error: \(missing): no such file"),
            ("a folder as file", train(dir.path), "error: \(dir.path): is a directory"),
            ("empty file", train(text("zero.csv", "")), "file is empty"),
            (
                "short row", train(text("short.csv", "a,b,target\n1,2,3\n4,5\n")),
                "short.csv:3: expected 3 fields, found 2"
            ),
            ("long row", train(text("long.csv", "a,b,target\n1,2,3,4\n")), "long.csv:2: expected 3 fields, found 4"),
            (
                // Text in training makes a column categorical; in another split it is an error.
                "text value", train(good, val: text("text.csv", "f0,f1,f2,target\n1,2,3,4\n4,abc,6,7\n")),
                "text.csv:3: column 'f1': 'abc' is not a number (the column is numeric in the training split)"
            ),
            (
                "column missing everywhere", train(text("nan.csv", "a,b,target\n1,,3\n4,NaN,6\n")),
                "nan.csv: column 'b' is missing in every training row"
            ),
            (
                "infinite label", train(text("inf.csv", "a,b,target\n1,2,3\n4,5,inf\n")),
                "inf.csv:3: column 'target': value inf is not finite"
            ),
            (
                "no target column", train(text("notarget.csv", "a,b,c\n1,2,3\n")),
                "notarget.csv:1: no target column 'target'"
            ),
            (
                "only a target column", train(text("onlytarget.csv", "target\n1\n2\n")),
                "onlytarget.csv: no feature columns besides the target"
            ),
            (
                "empty split", train(good, val: text("empty.csv", "a,b,c,target\n")),
                "empty.csv: the validation split has no rows"
            ),
            (
                "feature counts differ", train(good, test: text("wide.csv", Fixtures.csv(rows: 30, features: 4))),
                "wide.csv: column 'f3' is not one of the model's (f0, f1, f2)"
            ),
            (
                "npy lengths differ", npySplits(x: x10, y: npy("y9.npy", descr: "<f8", shape: [9])),
                "y9.npy: 9 labels for 10 feature rows"
            ),
            (
                "npy integer dtype", npySplits(x: npy("xi.npy", descr: "<i4", shape: [10, 2]), y: y10),
                "xi.npy: unsupported dtype '<i4'"
            ),
            (
                "npy big-endian", npySplits(x: npy("xb.npy", descr: ">f4", shape: [10, 2]), y: y10),
                "xb.npy: unsupported dtype '>f4'"
            ),
            (
                "npy Fortran order", npySplits(x: npy("xf.npy", fortran: true, shape: [10, 2]), y: y10),
                "xf.npy: Fortran-ordered arrays are not supported"
            ),
            (
                "npy truncated", npySplits(x: npy("xt.npy", shape: [10, 2], bytes: 40), y: y10),
                "xt.npy: truncated: shape [10, 2] needs"
            ),
            (
                "npy bad magic", npySplits(x: text("xm.npy", "NUMPY? no, just text here"), y: y10),
                "xm.npy: not a .npy file (bad magic)"
            ),
            (
                "npy 3-D features", npySplits(x: npy("x3.npy", shape: [10, 2, 2]), y: y10),
                "x3.npy: features must be 2-D (rows, columns), got shape [10, 2, 2]"
            ),
            (
                "npy matrix labels", npySplits(x: x10, y: npy("y2.npy", descr: "<f8", shape: [10, 3])),
                "y2.npy: labels must be a vector (n,) or (n, 1), got shape [10, 3]"
            ),
            (
                "npy NaN label",
                npySplits(
                    x: x10,
                    y: Fixtures.writeNpy(
                        dir.appendingPathComponent("ynan.npy"), descr: "<f8", shape: [10],
                        payload: Fixtures.float64([1, 2, .nan, 4, 5, 6, 7, 8, 9, 10])
                    ).path), "ynan.npy: label 2 is not finite (nan)"
            ),
            (
                "npy without labels", ["--train", x10, "--val", x10, "--test", x10],
                "x10.npy: a .npy feature file needs its label file (--train-y)"
            ),
            ("zero epochs", ["--epochs", "0"], "error: --epochs: must be positive, got 0"),
            ("negative batch", ["--batch-size=-3"], "error: --batch-size: must be positive, got -3"),
            (
                "epochs not a number", ["--epochs", "many"],
                "error: The value 'many' is invalid for '--epochs <epochs>'"
            ),
            ("zero learning rate", ["--lr", "0"], "error: --lr: must be positive, got 0.0"),
            (
                "bad hidden sizes", ["--hidden", "12,x"],
                "error: --hidden: '12,x' is not a comma-separated list of positive sizes"
            ),
            ("zero threads", ["--threads", "0"], "error: --threads: must be positive, got 0"),
            ("missing data folder", ["--data", dir.appendingPathComponent("none").path], "is not a folder"),
            (
                "inverted label range", ["--bins", "10", "--label-range", "3", "1"],
                "error: --label-range: empty or inverted label range [3.0, 1.0]"
            ),
            ("one bin", ["--bins", "1"], "error: --bins: need at least 2 bins, got 1"),
            (
                "checkpoints without --out", ["--checkpoint-every", "1"],
                "error: --checkpoint-every: needs --out DIR for the checkpoint files"
            ),
            (
                "resume auto without --out", ["--resume", "auto"],
                "error: --resume: 'auto' looks for checkpoints in --out DIR; give --out"
            ),
            ("--out is a file", ["--out", aFile], "error: --out: '\(aFile)' exists and is not a folder"),
            ("--out cannot be created", ["--out", aFile + "/sub"], "error: --out: cannot create '\(aFile)/sub'"),
            (
                "not a checkpoint", ["--resume", notCheckpoint],
                "error: \(notCheckpoint): not a dir-dist checkpoint (bad magic)"
            ),
            ("negative step timeout", ["--step-timeout", "0"], "error: --step-timeout: must be positive, got 0.0"),
            (
                "DenseWeight with LDS", ["--reweight", "denseweight", "--lds"],
                "error: --lds: LDS smooths per-bin reweighting"
            ),
            ("DenseWeight alpha alone", ["--dw-alpha", "2"], "error: --dw-alpha: needs --reweight denseweight"),
            (
                "zero DenseWeight bandwidth", ["--reweight", "denseweight", "--dw-bandwidth", "0"],
                "error: --dw-bandwidth: must be positive, got 0.0"
            ),
            (
                "Balanced MSE option without its loss", ["--bmc-init-sigma", "2"],
                "error: --bmc-init-sigma: needs a Balanced MSE loss: --loss bmc, gai or bni"
            ),
            (
                "Huber beta with BMC", ["--loss", "bmc", "--loss-beta", "2"],
                "error: --loss-beta: applies to the huber and focal losses, not to --loss bmc"
            ),
            (
                "zero initial sigma", ["--loss", "bni", "--bmc-init-sigma", "0"],
                "error: --bmc-init-sigma: must be positive, got 0.0"
            ),
            (
                "sigma rate and a fixed sigma", ["--loss", "gai", "--bmc-fix-sigma", "--bmc-sigma-lr", "0.1"],
                "error: --bmc-sigma-lr: conflicts with --bmc-fix-sigma"
            ),
            (
                "mixture components without GAI", ["--loss", "bmc", "--gai-components", "4"],
                "error: --gai-components: needs --loss gai"
            ),
            (
                "more components than distinct labels", train(good) + ["--loss", "gai", "--gai-components", "500"],
                "error: --gai-components: 500 mixture components need as many distinct training labels; there are"
            ),
            ("RankSim weight zero", ["--ranksim", "0"], "error: --ranksim: must be positive, got 0.0"),
            ("FDS kernel size without FDS", ["--fds-ks", "9"], "error: --fds-ks: needs --fds"),
            (
                "LDS sigma without LDS", ["--reweight", "sqrt_inv", "--lds-sigma", "1"],
                "error: --lds-sigma: needs --lds"
            ),
            (
                "RankSim lambda alone", ["--ranksim-lambda", "2"],
                "error: --ranksim-lambda: needs --ranksim GAMMA"
            ),
            (
                "two ways to choose the sum", ["--sync", "hierarchical", "--shared-memory"],
                "error: --sync: give either --sync or --shared-memory"
            ),
            (
                "overlap with the shared sum", ["--sync", "shared", "--overlap"],
                "error: --sync: overlapping the gradient sum with backward works with the allreduce only"
            ),
            // Issue 22: these trapped or tripped a precondition.
            (
                "negative synthetic features", ["--synthetic", "100", "--synthetic-features=-1"],
                "error: --synthetic-features: must be in 1...65536, got -1"
            ),
            (
                "synthetic data past memory", ["--synthetic", "2000000000", "--synthetic-features", "8"],
                "error: --synthetic: 2000000000 rows of 8 features exceed the generator's 2^30 values"
            ),
            (
                "DenseWeight bandwidth too wide", ["--reweight", "denseweight", "--dw-bandwidth", "4000"],
                "error: --dw-bandwidth: a bandwidth of 4000.0 is too wide"
            ),
            (
                "DenseWeight on one training row",
                train(oneRow) + ["--reweight", "denseweight", "--dw-bandwidth", "1"],
                "error: --dw-bandwidth: DenseWeight needs at least 2 training labels, got 1"
            ),
        ]
        return cases.map { (name: $0.0, arguments: $0.1, message: $0.2) }
    }

    func testEveryMalformedInputGivesOneClearErrorAndStatusTwo() {
        let cases = corpus
        XCTAssertGreaterThanOrEqual(cases.count, 25)
        for (index, c) in cases.enumerated() {
            let ranks = 2 + index % 2
            let result = MPIRun.run(ranks: ranks, c.arguments, timeout: 30)
            XCTAssertFalse(result.timedOut, "\(c.name): hung on \(ranks) ranks")
            result.assertOneErrorLine(containing: c.message, "\(c.name) (\(ranks) ranks)")
        }
    }
}
