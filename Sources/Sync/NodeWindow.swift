// The shared window both shared-memory sums use: one parameter copy per node (in the
// first rank's segment), each rank's gradients with the step signals after them, and
// the shard of the update each rank owns. Lengths are rounded to 16 Floats (64-byte
// lines), so no two ranks write to one cache line.
import Collectives
import NN

struct NodeWindow {
    let window: SharedSegments
    /// The node's one parameter copy.
    let parameters: FloatBuffer
    /// Every rank's gradient segment, in the node's rank order.
    let gradients: [UnsafeMutablePointer<Float>]
    /// Shard boundaries: the node's rank r updates offsets[r]..<offsets[r + 1].
    let offsets: [Int]
    let shardLength: Int

    /// Collective over `node`, whose ranks must share one node.
    init(node: Communicator, parameterCount n: Int) {
        let parameterSpan = Self.roundUp(n)
        let gradientSpan = Self.roundUp(n + StepSignals.slotCount)
        window = node.sharedSegments(count: (node.isRoot ? parameterSpan : 0) + gradientSpan)
        parameters = FloatBuffer(borrowing: window.segment(0), count: n, owner: window)
        gradients = (0..<node.size).map { [window] in window.segment($0) + ($0 == 0 ? parameterSpan : 0) }
        let shardLength = Self.roundUp((n + node.size - 1) / node.size)
        self.shardLength = shardLength
        offsets = (0...node.size).map { min(n, $0 * shardLength) }
    }

    private static func roundUp(_ count: Int) -> Int { (count + 15) / 16 * 16 }

    /// Posts `signals` after `rank`'s gradients, waits until every rank of the node has
    /// written both, and combines the node's signals.
    func post(_ signals: StepSignals, rank: Int) -> StepSignals {
        let n = parameters.count
        signals.write(to: gradients[rank] + n)
        window.synchronize()
        return gradients.reduce(signals) { $0.merged(with: StepSignals(slots: $1 + n)) }
    }
}
