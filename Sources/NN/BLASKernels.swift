// Which OpenBLAS kernels run, and choosing better ones than OpenBLAS's own guess.
// Debian's OpenBLAS (DYNAMIC_ARCH) picks its kernels from the CPU model; on a virtual
// CPU whose CPUID names no model it falls back to the oldest SSE3 ones (`Prescott`),
// a third of the speed the hardware gives. OpenBLAS reads OPENBLAS_CORETYPE when it
// loads, so a better choice takes a re-exec of the process before anything else runs.
import CCPUID

#if canImport(Glibc)
    import Glibc
#endif

public enum BLASKernels {
    /// OpenBLAS's x86 kernel families, slowest first (those dir-dist may pick, and the
    /// generic ones it replaces). Others (Zen, ARM cores) are never overridden.
    static let ranked = [
        "Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Sandybridge", "Haswell", "SkylakeX", "Cooperlake",
        "SapphireRapids",
    ]

    /// The fastest family the CPU and the OS support, from CPUID (nil off x86).
    public static var bestSupported: String? {
        let f = ccpuid_features()
        if f & Int32(CCPUID_AVX512) != 0 { return "SkylakeX" }
        if f & Int32(CCPUID_AVX2) != 0 && f & Int32(CCPUID_FMA) != 0 { return "Haswell" }
        if f & Int32(CCPUID_AVX) != 0 { return "Sandybridge" }
        return nil
    }

    /// Whether `core` is one of the ranked families and slower than `other`.
    public static func isSlower(_ core: String, than other: String) -> Bool {
        guard let a = ranked.firstIndex(of: core), let b = ranked.firstIndex(of: other) else { return false }
        return a < b
    }

    /// The largest relative difference between OpenBLAS's sgemm and a plain loop on a
    /// 67×45×83 product (odd sizes reach the edge kernels). Older OpenBLAS builds are
    /// known to compute wrong results with a forced core on some CPUs.
    public static func verificationError() -> Double {
        let (m, n, k) = (67, 45, 83)
        let a = FloatBuffer(count: m * k), b = FloatBuffer(count: k * n), c = FloatBuffer(count: m * n)
        for i in 0..<(m * k) { a.pointer[i] = Float((i * 7919) % 23) / 11 - 1 }
        for i in 0..<(k * n) { b.pointer[i] = Float((i * 104_729) % 19) / 9 - 1 }
        BLAS.gemm(m: m, n: n, k: k, a: a.pointer, lda: k, b: b.pointer, ldb: n, c: c.pointer, ldc: n)
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(a.pointer[i * k + p]) * Double(b.pointer[p * n + j]) }
                worst = max(worst, abs(Double(c.pointer[i * n + j]) - sum) / max(abs(sum), 1))
            }
        }
        return worst
    }
}

/// The start-up choice of kernels (`DIR_DIST_BLAS_CORE=auto|keep|NAME`, default auto; a
/// user's own OPENBLAS_CORETYPE always wins) and the line that says what runs.
public enum KernelChoice {
    /// Set on the re-executed process: `chosen TARGET DETECTED` or `fallback TRIED DETECTED ERROR`.
    static let state = "DIR_DIST_BLAS_CHOICE"
    /// Relative error above which a chosen kernel family is not trusted.
    static let tolerance = 1e-4

    /// Call first in `main`, before MPI or any thread starts: may replace the process with
    /// itself under OPENBLAS_CORETYPE (same arguments, same PID, so launchers see no change).
    public static func applyAtStart() {
        let s = recordedChoice
        if s.first == "chosen", s.count == 3 {
            // The re-executed process: trust the new kernels only if they compute correctly.
            // Test-only fault injection (docs/cluster.md): a check that fails, to exercise the fallback.
            let error = variable("DIR_DIST_TEST_FAULT") == "blas-check" ? .infinity : BLASKernels.verificationError()
            if !(error <= tolerance) {
                reexec(core: s[2], state: "fallback \(s[1]) \(s[2]) \(error)")
            }
            return
        }
        guard s.isEmpty, (variable("OPENBLAS_CORETYPE") ?? "").isEmpty else { return }
        let mode = variable("DIR_DIST_BLAS_CORE") ?? "auto"
        let detected = BLAS.coreName
        let target: String?
        switch mode {
        case "keep": target = nil
        case "auto": target = BLASKernels.bestSupported.flatMap { BLASKernels.isSlower(detected, than: $0) ? $0 : nil }
        default: target = mode
        }
        if let target, target != detected { reexec(core: target, state: "chosen \(target) \(detected)") }
    }

    /// What runs, for the first line of `train` and the bench, and a warning when a
    /// faster supported family is not in use or a chosen one failed its check.
    public static var report: (line: String, warning: String?) {
        let core = BLAS.coreName
        let head = "BLAS: \(BLAS.library), \(core) kernels"
        let s = recordedChoice
        if s.first == "chosen", s.count == 3 {
            return ("\(head) (chosen by dir-dist for this CPU; OpenBLAS detected \(s[2]))", nil)
        }
        if s.first == "fallback", s.count == 4 {
            return (
                "\(head) (as detected: \(s[1]) failed a check)",
                "OpenBLAS's \(s[1]) kernels disagreed with a plain sgemm (relative error \(s[3])); using \(s[2])"
            )
        }
        let source = (variable("OPENBLAS_CORETYPE") ?? "").isEmpty ? "as detected" : "set by OPENBLAS_CORETYPE"
        guard let best = BLASKernels.bestSupported, BLASKernels.isSlower(core, than: best) else {
            return ("\(head) (\(source))", nil)
        }
        return ("\(head) (\(source))", "this CPU supports the faster \(best) kernels, which are not in use (\(source))")
    }

    /// What a re-executed process was told (the words of `state`); empty in the first process.
    private static var recordedChoice: [String] {
        variable(state)?.split(separator: " ").map(String.init) ?? []
    }

    private static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Replaces this process with itself under OPENBLAS_CORETYPE=`core`; on failure
    /// training goes on with the kernels it has.
    private static func reexec(core: String, state value: String) -> Void {
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(state, value, 1)
        let args = CommandLine.unsafeArgv
        execv("/proc/self/exe", args)
        // Only reached when exec failed: undo, keep the kernels OpenBLAS loaded.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(state)
    }
}
