// The learning-rate factor per step: warm-up, cosine to zero at the horizon, step
// decay at 1-based epochs as given (0-based inside), constant.
import Settings
import XCTest

final class ScheduleTests: XCTestCase {
    func testWarmupCosineAndStepFactors() {
        var s = LearningRateSchedule()
        XCTAssertEqual(s.factor(epoch: 7, step: 3, stepsPerEpoch: 10), 1)
        s.warmupEpochs = 1
        XCTAssertEqual(s.factor(epoch: 0, step: 0, stepsPerEpoch: 10), 0.1, accuracy: 1e-12)
        XCTAssertEqual(s.factor(epoch: 0, step: 9, stepsPerEpoch: 10), 1, accuracy: 1e-12)
        s.kind = .cosine
        s.horizon = 5
        XCTAssertEqual(
            s.factor(epoch: 1, step: 0, stepsPerEpoch: 10), 1, accuracy: 1e-12, "cosine starts after warm-up")
        XCTAssertEqual(s.factor(epoch: 3, step: 0, stepsPerEpoch: 10), 0.5, accuracy: 1e-12, "half way")
        XCTAssertEqual(s.factor(epoch: 4, step: 9, stepsPerEpoch: 10), 0.5 * (1 + cos(.pi * 3.9 / 4)), accuracy: 1e-12)
        var step = LearningRateSchedule()
        step.kind = .step
        step.milestones = [2, 4]
        step.gamma = 0.5
        XCTAssertEqual((0..<6).map { step.factor(epoch: $0, step: 0, stepsPerEpoch: 3) }, [1, 1, 0.5, 0.5, 0.25, 0.25])
    }
}
