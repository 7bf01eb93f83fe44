// The sync choice and the reduce-and-update contract in this process (one rank): which
// sum a request gets, what is refused, and that every implementation a single rank can
// hold updates with the summed gradients, calls `summed` once, and skips the update
// when a loss was not finite. Several ranks: EndToEndTests (EquivalenceTests) and
// ClusterTests run the shared-memory and hierarchical sums under mpirun.
import Collectives
import InProcessMPI
import NN
import Sync
import XCTest

final class GradientSyncTests: XCTestCase {
    private var world: Communicator { InProcess.world }

    func testOneRankGetsThePlainAllreduceWhateverItAsks() throws {
        XCTAssertEqual(
            try SyncPlan.choose(requested: nil, overlap: false, exact: false, comm: world), SyncPlan(.allreduce))
        XCTAssertEqual(
            try SyncPlan.choose(requested: .shared, overlap: false, exact: false, comm: world), SyncPlan(.allreduce),
            "one rank has nobody to share memory with")
        XCTAssertEqual(
            try SyncPlan.choose(requested: nil, overlap: true, exact: false, comm: world), SyncPlan(.allreduce),
            "overlap needs a second rank")
        XCTAssertEqual(try SyncPlan.choose(requested: nil, overlap: false, exact: true, comm: world), SyncPlan(.exact))
    }

    func testContradictoryRequestsAreRefusedWithTheirReason() {
        let cases: [(GradientSum?, Bool, Bool, String)] = [
            (.shared, true, false, "works with the allreduce only"),
            (.hierarchical, true, false, "works with the allreduce only"),
            (.allreduce, false, true, "leave the sum to it"),
            (nil, true, true, "leave the sum to it"),
            (.exact, false, false, "comes with --reproducible"),
        ]
        for (requested, overlap, exact, reason) in cases {
            XCTAssertThrowsError(
                try SyncPlan.choose(requested: requested, overlap: overlap, exact: exact, comm: world)
            ) { XCTAssertTrue(($0 as! SyncChoiceError).message.contains(reason), "\($0)") }
        }
    }

    func testTheVocabularyIsWhatUsersType() {
        XCTAssertEqual(GradientSum.requestable.map(\.rawValue), ["allreduce", "shared", "hierarchical"])
        XCTAssertEqual("\(SyncPlan(.shared))", "shared")
        XCTAssertEqual("\(SyncPlan(.allreduce, overlapped: true))", "allreduce, overlapped with backward")
    }

    /// SGD with rate 1 and no momentum: the update is p − Σ g, so the parameters show the sum.
    func testReduceAndUpdateAppliesTheSummedGradientOnce() {
        for plan in [SyncPlan(.allreduce), SyncPlan(.exact)] {
            let sync = makeGradientSync(
                plan, comm: world, parameterCount: 5, bucketBytes: 64, microBatch: 4,
                microBatchSlots: 2)
            sync.setParameters([1, 2, 3, 4, 5])
            let optimizer = SGD(parameterCount: 5, learningRate: 1, momentum: 0, weightDecay: 0)
            sync.beginStep(globalRows: 8)
            // Two backward passes (micro-batches for the exact sum, the last one wins otherwise).
            for pass in 0..<(plan.sum == .exact ? 2 : 1) {
                sync.gradients.assign([0.5, -1, 0, 2, 0.25].map { $0 * Float(pass + 1) })
                sync.gradientsReady(prefix: 5)
                sync.backwardPassDone()
            }
            var calls = 0
            let signals = sync.reduceAndUpdate(
                StepSignals(preempted: true, nonFiniteLoss: false), with: optimizer
            ) { calls += 1 }
            XCTAssertEqual(calls, 1, "\(plan)")
            XCTAssertEqual(signals, StepSignals(preempted: true, nonFiniteLoss: false), "\(plan)")
            let summed: [Float] = plan.sum == .exact ? [1.5, -3, 0, 6, 0.75] : [0.5, -1, 0, 2, 0.25]
            XCTAssertEqual(sync.parameters.array, zip([1, 2, 3, 4, 5], summed).map { $0 - $1 }, "\(plan)")
        }
    }

    func testANonFiniteLossLeavesTheParametersAlone() {
        for plan in [SyncPlan(.allreduce), SyncPlan(.exact)] {
            let sync = makeGradientSync(plan, comm: world, parameterCount: 3, bucketBytes: 64)
            sync.setParameters([1, 2, 3])
            sync.beginStep(globalRows: 1)
            sync.gradients.assign([1, 1, 1])
            sync.backwardPassDone()
            let signals = sync.reduceAndUpdate(
                StepSignals(preempted: false, nonFiniteLoss: true),
                with: SGD(parameterCount: 3, learningRate: 1, momentum: 0, weightDecay: 0)
            ) {}
            XCTAssertTrue(signals.nonFiniteLoss, "\(plan)")
            XCTAssertEqual(sync.parameters.array, [1, 2, 3], "\(plan)")
        }
    }

    /// A gradient that is not finite is caught by the exact sum itself (no bound to scale by).
    func testTheExactSumReportsANaNGradientAsANonFiniteLoss() {
        let sync = makeGradientSync(SyncPlan(.exact), comm: world, parameterCount: 3, bucketBytes: 64)
        sync.setParameters([1, 2, 3])
        sync.beginStep(globalRows: 1)
        sync.gradients.assign([1, .nan, 1])
        sync.backwardPassDone()
        let signals = sync.reduceAndUpdate(
            StepSignals(preempted: false, nonFiniteLoss: false),
            with: SGD(parameterCount: 3, learningRate: 1, momentum: 0, weightDecay: 0)
        ) {}
        XCTAssertTrue(signals.nonFiniteLoss)
        XCTAssertEqual(sync.parameters.array, [1, 2, 3])
    }
}
