// `dir-dist bench`: times real training steps phase by phase on every rank, and
// measures on the same machine what they are compared with: single-thread sgemm,
// a standalone allreduce of the gradient buffer, point-to-point latency/bandwidth.
import Collectives
import Foundation
import NN
import Orchestration
import Settings
import Sync
import Training

#if canImport(Glibc)
    import Glibc
#endif

public struct BenchmarkReport {
    public var ranks = 0
    public var sync = SyncPlan(.allreduce)
    public var perRankBatch = 0
    public var parameters = 0
    /// The DIR method timed (`Recipe.methodName`).
    public var method = ""
    public var stepsMeasured = 0
    /// Per step, averaged over ranks (and the slowest rank for `step`).
    public var step = 0.0, forward = 0.0, backward = 0.0, reduceWait = 0.0, optimizer = 0.0
    public var perRankStep = [Double]()
    /// Per rank: forward, backward, allreduce wait, optimizer (seconds per step).
    public var perRankPhases = [[Double]]()
    /// Per rank: training rows per step.
    public var perRankRows = [Double]()
    /// FDS per epoch: calibration in steps, statistics pass (with allreduce), smoothing.
    public var fdsCalibration = 0.0, fdsStatistics = 0.0, fdsSmoothing = 0.0, epochSeconds = 0.0
    public var samplesPerSecond = 0.0
    public var flopsPerSample = 0.0
    public var gflops = 0.0
    public var sgemmPeak = 0.0
    /// One step's matrix products alone (forward, dW, dX of every layer at the per-rank
    /// batch), best of 20: what the step would take if it were nothing but its products.
    public var productsSeconds = 0.0
    /// The numerical embedding's forward and backward on one step's rows, best of 20
    /// (0 without an embedding), and its name.
    public var embeddingSeconds = 0.0
    public var embedding: String?
    /// The network in words when it is more than a plain MLP (`Recipe.architectureName`).
    public var model: String?
    public var allreduceSeconds = 0.0
    public var bytesPerStep = 0
    public var peakResidentMB = 0.0
    public var p2pLatency: Double?
    public var p2pBandwidth: Double?

    public init() {}

    /// Fraction of a standalone allreduce that the overlap hid behind backward.
    public var hidden: Double { allreduceSeconds > 0 ? max(0, 1 - reduceWait / allreduceSeconds) : 0 }
}

public enum Benchmark {
    /// Trains `warmup` epochs untimed, then `epochs` timed ones.
    public static func run(
        _ config: TrainingConfig, comm: Communicator, warmup: Int, epochs: Int,
        pingPong: Bool
    ) throws -> BenchmarkReport {
        let data = try TrainingRun.prepare(config, comm: comm)
        let trainer = try Trainer(config: config, comm: comm, data: data)
        for _ in 0..<warmup { _ = trainer.trainEpoch() }
        trainer.resetTimes()
        var r = BenchmarkReport()
        var fds = [0.0, 0.0, 0.0]
        let start = Clock.now()
        for _ in 0..<epochs {
            _ = trainer.trainEpoch()
            if let f = trainer.fdsTimes { fds = [fds[0] + f.calibration, fds[1] + f.statistics, fds[2] + f.smoothing] }
        }
        let wall = comm.allreduce(Clock.now() - start, op: .max)
        let t = trainer.times
        let n = Double(max(t.steps, 1))
        r.ranks = comm.size
        r.sync = trainer.syncPlan
        r.perRankBatch = config.execution.batchSize
        r.parameters = trainer.model.parameterCount
        r.method = config.recipe.methodName
        r.stepsMeasured = t.steps
        let sums = [t.forward, t.backward, t.sync, t.update].map {
            comm.allreduce($0, op: .sum) / Double(comm.size) / n
        }
        (r.forward, r.backward, r.reduceWait, r.optimizer) = (sums[0], sums[1], sums[2], sums[3])
        // Each rank fills its own row; a sum-allreduce gathers the table on every rank.
        var table = [Double](repeating: 0, count: 5 * comm.size)
        for (k, v) in [t.forward, t.backward, t.sync, t.update, Double(t.rows)].enumerated() {
            table[5 * comm.rank + k] = v / n
        }
        comm.allreduce(&table)
        r.perRankPhases = (0..<comm.size).map { Array(table[(5 * $0)..<(5 * $0 + 4)]) }
        r.perRankRows = (0..<comm.size).map { table[5 * $0 + 4] }
        r.perRankStep = r.perRankPhases.map { $0.reduce(0, +) }
        r.step = r.perRankStep.max() ?? 0
        let perEpoch = fds.map { comm.allreduce($0, op: .max) / Double(epochs) }
        (r.fdsCalibration, r.fdsStatistics, r.fdsSmoothing) = (perEpoch[0], perEpoch[1], perEpoch[2])
        r.epochSeconds = wall / Double(epochs)
        r.samplesPerSecond = Double(data.bundle.train.count * epochs) / wall
        r.flopsPerSample = flopsPerSample(trainer.model)
        r.gflops = r.flopsPerSample * r.samplesPerSecond / Double(comm.size) / 1e9
        r.bytesPerStep = trainer.model.grads.count * MemoryLayout<Float>.stride
        r.allreduceSeconds = allreduceTime(trainer.model.grads, comm)
        r.sgemmPeak = sgemmPeak()
        r.productsSeconds = stepProductsTime(trainer.model, batch: config.execution.batchSize)
        r.model = config.recipe.architectureName
        if let embedding = config.recipe.embedding {
            r.embedding = embedding.name
            r.embeddingSeconds = embeddingTime(trainer.model, batch: config.execution.batchSize)
        }
        r.peakResidentMB = comm.allreduce(peakResidentMB(), op: .max)
        if pingPong && comm.size > 1 { (r.p2pLatency, r.p2pBandwidth) = Self.pingPong(comm) }
        return r
    }

    /// One matrix product shape of the step: `rows` × `input` → `output`, and whether the
    /// backward pass also forms the input's gradient.
    struct Product {
        let rows: Int, input: Int, output: Int, inputGradient: Bool
    }

    /// The step's products per training row: the embedding's per-feature maps, the
    /// hidden layers on every member's row, the heads.
    static func products(_ model: MLP) -> [Product] {
        let k = model.members
        var list = [Product]()
        if let p = model.periodic {
            list += Array(
                repeating: Product(rows: 1, input: 2 * p.frequencies, output: p.size, inputGradient: true),
                count: p.features)
        }
        let belowFirst = model.members > 1 || model.periodic != nil
        for (l, layer) in model.hidden.enumerated() {
            list.append(
                Product(rows: k, input: layer.inputSize, output: layer.outputSize, inputGradient: l > 0 || belowFirst))
        }
        list.append(Product(rows: k, input: model.hiddenSizes.last!, output: 1, inputGradient: true))
        return list
    }

    /// Forward 2·in·out per product; backward 2·in·out for dW and, where needed, for dX.
    static func flopsPerSample(_ model: MLP) -> Double {
        products(model).reduce(0) { sum, p in
            sum + Double(p.rows * p.input * p.output) * (p.inputGradient ? 6 : 4)
        }
    }

    /// Seconds of one step's products alone, with the model's shapes: per product the
    /// forward x·W (n×in×out), dW = xᵀ·dy (in×out×n) and, where needed, dx = dy·Wᵀ.
    static func stepProductsTime(_ model: MLP, batch: Int) -> Double {
        let shapes = products(model)
        let widest = shapes.map { max($0.input, $0.output) }.max()!
        let tallest = shapes.map { $0.rows }.max()! * batch
        let x = FloatBuffer(count: tallest * widest), y = FloatBuffer(count: tallest * widest)
        let w = FloatBuffer(count: widest * widest), dw = FloatBuffer(count: widest * widest)
        for i in 0..<x.count { x.pointer[i] = Float(i % 13) * 0.01 }
        var best = Double.infinity
        for _ in 0..<20 {
            let start = Clock.now()
            for p in shapes {
                let (n, i, o) = (p.rows * batch, p.input, p.output)
                BLAS.gemm(m: n, n: o, k: i, a: x.pointer, lda: i, b: w.pointer, ldb: o, c: y.pointer, ldc: o)
                BLAS.gemm(
                    transA: true, m: i, n: o, k: n, a: x.pointer, lda: i, b: y.pointer, ldb: o, c: dw.pointer, ldc: o)
                if p.inputGradient {
                    BLAS.gemm(
                        transB: true, m: n, n: i, k: o, a: y.pointer, lda: o, b: w.pointer, ldb: o, c: x.pointer,
                        ldc: i)
                }
            }
            best = min(best, Clock.now() - start)
        }
        return best
    }

    /// Seconds of the embedding's forward and backward on `batch` rows, best of 20.
    static func embeddingTime(_ model: MLP, batch: Int) -> Double {
        let x = FloatBuffer(count: batch * model.inputSize)
        for i in 0..<x.count { x.pointer[i] = Float(i % 13) * 0.1 - 0.6 }
        var best = Double.infinity
        for _ in 0..<20 {
            let start = Clock.now()
            model.embeddingPass(x.pointer, count: batch)
            best = min(best, Clock.now() - start)
        }
        return best
    }

    /// Mean seconds of one blocking allreduce of the whole gradient buffer.
    static func allreduceTime(_ grads: FloatBuffer, _ comm: Communicator) -> Double {
        let scratch = FloatBuffer(count: grads.count)
        comm.allreduce(scratch.buffer)
        comm.barrier()
        let reps = 20
        let start = Clock.now()
        for _ in 0..<reps { comm.allreduce(scratch.buffer) }
        return comm.allreduce((Clock.now() - start) / Double(reps), op: .max)
    }

    /// Single-thread sgemm 1024³ GFLOP/s on this machine (best of 3).
    public static func sgemmPeak(size n: Int = 1024) -> Double {
        let before = BLAS.threads
        BLAS.setThreads(1)
        defer { BLAS.setThreads(before) }
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        for i in 0..<(n * n) {
            a.pointer[i] = Float(i % 7) * 0.1
            b.pointer[i] = Float(i % 5) * 0.1
        }
        var best = Double.infinity
        for _ in 0..<3 {
            let start = Clock.now()
            BLAS.gemm(m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
            best = min(best, Clock.now() - start)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }

    static func peakResidentMB() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Ranks 0 and 1: half the round trip of 8 bytes, and bandwidth with 4 MiB messages.
    static func pingPong(_ comm: Communicator) -> (Double, Double) {
        func roundTrip(_ bytes: Int, _ reps: Int) -> Double {
            var buffer = [UInt8](repeating: 1, count: bytes)
            comm.barrier()
            let start = Clock.now()
            buffer.withUnsafeMutableBufferPointer { b in
                for _ in 0..<reps {
                    if comm.rank == 0 {
                        comm.send(b, to: 1)
                        comm.receive(b, from: 1)
                    } else if comm.rank == 1 {
                        comm.receive(b, from: 0)
                        comm.send(b, to: 0)
                    }
                }
            }
            return comm.allreduce((Clock.now() - start) / Double(reps), op: .max)
        }
        _ = roundTrip(8, 100)
        let latency = roundTrip(8, 2000) / 2
        let size = 4 << 20
        let bandwidth = Double(size) / (roundTrip(size, 20) / 2)
        return (latency, bandwidth)
    }
}
