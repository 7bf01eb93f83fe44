// What the launch's environment says before MPI_Init: a direct srun launch that cannot
// work (refused with one line), and a faster start-up for jobs on one node. On the
// latter: Debian's OpenMPI, left to choose, probes its "cm" point-to-point layer and that
// layer's network transports (PSM, PSM2, libfabric) in every rank's MPI_Init, about 0.2 s
// on this project's machines, for transports that a job on one node never uses (ob1 over
// shared memory is OpenMPI's own choice there). A sweep of short runs or a test suite of
// short jobs pays it once per job.
#if canImport(Glibc)
    import Glibc
#endif

public enum LaunchEnvironment {
    /// The environment variable that turns the default off (`keep`).
    public static let switchVariable = "DIR_DIST_MPI_TRANSPORT"

    /// Called just before MPI_Init: when mpirun says every rank of the job runs on this
    /// node and nothing the user set (environment, mpirun's `--mca`, an MCA parameter
    /// file) selects the point-to-point layer or a network transport, choose ob1.
    static func applyBeforeInit() {
        guard let pml = chosenLayer(environment: variable) else { return }
        setenv("OMPI_MCA_pml", pml, 0)
    }

    /// "ob1" when the default applies to a process with this environment, else nil.
    /// Exclusion lists (`^name,...`, as in Debian's own parameter file) leave the
    /// choice open unless they exclude ob1; a positive list is the user's choice.
    public static func chosenLayer(
        environment get: (String) -> String?,
        parameterFiles: [String] = defaultParameterFiles(home: variable("HOME"))
    ) -> String? {
        if get(switchVariable) == "keep" { return nil }
        guard let size = get("OMPI_COMM_WORLD_SIZE").flatMap(Int.init),
            let local = get("OMPI_COMM_WORLD_LOCAL_SIZE").flatMap(Int.init), size == local
        else { return nil }
        if get("OMPI_MCA_pml") != nil { return nil }
        var settings = get("OMPI_MCA_mtl").map { [("mtl", $0)] } ?? []
        for file in parameterFiles {
            guard let text = readText(file) else { continue }
            for line in text.split(whereSeparator: \.isNewline) {
                // `name = value`; a comment starts with '#' and so never matches.
                let parts = line.split(separator: "=", maxSplits: 1).map {
                    String($0.filter { $0 != " " && $0 != "\t" })
                }
                if parts.count == 2, ["pml", "mtl"].contains(parts[0]) { settings.append((parts[0], parts[1])) }
            }
        }
        for (name, value) in settings {
            guard value.hasPrefix("^") else { return nil }
            if name == "pml" && value.dropFirst().split(separator: ",").contains("ob1") { return nil }
        }
        return "ob1"
    }

    /// Under `srun` with several tasks but without PMIx (`--mpi=none` or `pmi2`), Debian's
    /// OpenMPI aborts MPI_Init with a page of text that never names the fix: say it in one
    /// line (from task 0) and exit 2 before MPI starts.
    static func refuseDirectLaunchWithoutPMIx() {
        guard isDirectLaunchWithoutPMIx(environment: variable) else { return }
        if variable("SLURM_PROCID") ?? "0" == "0" {
            _ = "error: srun: \(directLaunchMessage(environment: variable))\n".withCString { write(2, $0, strlen($0)) }
        }
        exit(2)
    }

    /// Several tasks started by srun that OpenMPI cannot wire up: no PMIx, no mpirun.
    public static func isDirectLaunchWithoutPMIx(environment get: (String) -> String?) -> Bool {
        guard let tasks = get("SLURM_STEP_NUM_TASKS").flatMap(Int.init), tasks > 1, get("SLURM_STEP_ID") != nil
        else { return false }
        return get("PMIX_RANK") == nil && get("OMPI_COMM_WORLD_SIZE") == nil
    }

    public static func directLaunchMessage(environment get: (String) -> String?) -> String {
        let tasks = get("SLURM_STEP_NUM_TASKS") ?? "several"
        let plugin = get("SLURM_MPI_TYPE").map { " (--mpi=\($0))" } ?? ""
        return
            "started \(tasks) tasks without PMIx\(plugin); this OpenMPI needs srun --mpi=pmix (see srun --mpi=list), "
            + "or mpirun inside the allocation"
    }

    /// OpenMPI's system-wide and per-user MCA parameter files.
    public static func defaultParameterFiles(home: String?) -> [String] {
        ["/etc/openmpi/openmpi-mca-params.conf"] + (home.map { ["\($0)/.openmpi/mca-params.conf"] } ?? [])
    }

    /// The value of an environment variable of this process.
    public static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    private static func readText(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
