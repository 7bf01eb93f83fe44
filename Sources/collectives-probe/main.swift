// A test helper run under real mpirun by CollectivesTests: exercises allreduce
// (sum, min, max), broadcast, the non-blocking allreduce, allgather and node shared
// memory for several sizes and element types, checks every result against the closed
// form, and reports per rank.
import Collectives
import Foundation

final class Probe {
    let comm = Communicator()
    var failures = [String]()
    var checks = 0
    var p: Int { comm.size }
    var r: Int { comm.rank }

    func expect(_ ok: Bool, _ what: @autoclosure () -> String) {
        checks += 1
        if !ok && failures.count < 10 { failures.append(what()) }
    }

    /// Small integers so every sum is exact in every type.
    static func value(_ rank: Int, _ i: Int) -> Int { (rank + 1) * ((i % 97) + 1) - 3 * (i % 5) }

    func checkType<T: MPIScalar & Numeric & Comparable>(_: T.Type, _ make: (Int) -> T, _ name: String) {
        for n in [1, 7, 1000, 100_003] {
            var sum = (0..<n).map { make(Self.value(r, $0)) }
            comm.allreduce(&sum, op: .sum)
            var lo = (0..<n).map { make(Self.value(r, $0)) }
            comm.allreduce(&lo, op: .min)
            var hi = (0..<n).map { make(Self.value(r, $0)) }
            comm.allreduce(&hi, op: .max)
            for i in 0..<n {
                var total = 0, smallest = Int.max, largest = Int.min
                for rank in 0..<p {
                    let v = Self.value(rank, i)
                    total += v
                    smallest = min(smallest, v)
                    largest = max(largest, v)
                }
                expect(sum[i] == make(total), "\(name) sum n=\(n) [\(i)] = \(sum[i])")
                expect(lo[i] == make(smallest), "\(name) min n=\(n) [\(i)] = \(lo[i])")
                expect(hi[i] == make(largest), "\(name) max n=\(n) [\(i)] = \(hi[i])")
            }
            for root in (p > 1 ? [0, p - 1] : [0]) {
                var b = (0..<n).map { make(Self.value(r == root ? 1000 + root : r, $0)) }
                comm.broadcast(&b, root: root)
                for i in 0..<n {
                    expect(b[i] == make(Self.value(1000 + root, i)), "\(name) bcast root \(root) n=\(n) [\(i)]")
                }
            }
        }
    }

    /// Uneven blocks (one empty): each rank fills its own, all see all.
    func checkAllgather() {
        let bounds = [0] + (1...p).map { min(37 * $0 * $0, 37 * p * p) }
        var offsets = bounds
        if p > 1 { offsets[1] = 0 }  // rank 0's block is empty
        var buffer = [Float](repeating: -1, count: offsets[p])
        for i in offsets[r]..<offsets[r + 1] { buffer[i] = Float(Self.value(r, i)) }
        buffer.withUnsafeMutableBufferPointer { comm.allgather($0, offsets: offsets) }
        for q in 0..<p {
            for i in offsets[q]..<offsets[q + 1] {
                expect(buffer[i] == Float(Self.value(q, i)), "allgather block \(q) [\(i)]")
            }
        }
    }

    /// Every rank writes its segment; after synchronize every rank reads every segment,
    /// then writes into a peer's segment, and the owner sees it after the next one.
    func checkSharedSegments() {
        guard comm.isSingleNode else { return }
        let count = 1000 + 16 * r
        let shared = comm.sharedSegments(count: count)
        for q in 0..<p { expect(shared.count(q) == 1000 + 16 * q, "segment \(q) has \(shared.count(q)) Floats") }
        let mine = shared.segment(r)
        expect((0..<count).allSatisfy { mine[$0] == 0 }, "own segment starts zeroed")
        for i in 0..<count { mine[i] = Float(Self.value(r, i)) }
        shared.synchronize()
        for q in 0..<p {
            let segment = shared.segment(q)
            expect(
                (0..<shared.count(q)).allSatisfy { segment[$0] == Float(Self.value(q, $0)) },
                "segment \(q) seen by rank \(r)")
        }
        shared.synchronize()
        shared.segment((r + 1) % p)[0] = Float(1000 + r)
        shared.synchronize()
        expect(mine[0] == Float(1000 + (r + p - 1) % p), "rank \(r) sees its left neighbour's store: \(mine[0])")
    }

    func run() -> Int32 {
        checkType(Float.self, { Float($0) }, "Float")
        checkType(Double.self, { Double($0) }, "Double")
        checkType(Int.self, { $0 }, "Int")
        checkType(Int64.self, { Int64($0) }, "Int64")

        // Non-blocking allreduce, driven by test() until done.
        var buffer = (0..<4096).map { Float(Self.value(r, $0)) }
        buffer.withUnsafeMutableBufferPointer { b in
            var pending = comm.startAllreduce(b)
            while !pending.test() {}
            pending.wait()
        }
        for i in 0..<4096 {
            expect(buffer[i] == Float((0..<p).map { Self.value($0, i) }.reduce(0, +)), "Iallreduce [\(i)]")
        }

        checkAllgather()
        checkSharedSegments()

        var text = Array("hello from rank \(p - 1)".utf8)
        if r != p - 1 { text = [] }
        comm.broadcast(bytes: &text, root: p - 1)
        expect(String(decoding: text, as: UTF8.self) == "hello from rank \(p - 1)", "byte broadcast")

        comm.barrier()
        if failures.isEmpty {
            // The point-to-point layer the transport default left for MPI_Init (CommunicatorTests).
            let pml = getenv("OMPI_MCA_pml").map { String(cString: $0) } ?? "unset"
            print("rank \(r) of \(p): ok \(checks) checks, pml \(pml)")
        } else {
            print("rank \(r) of \(p): FAILED \(failures.joined(separator: "; "))")
        }
        comm.finalize()
        return failures.isEmpty ? 0 : 1
    }
}

exit(Probe().run())
