// Hosts and their ranks in one phrase, for the start-up line and for errors that must
// say where something differs.

public enum HostList {
    /// "h0 (ranks 0-1), h1 (ranks 2-3)": each host with its ranks, in rank order; `ranks`
    /// are the ranks the names belong to (default 0, 1, ...).
    public static func describe(_ names: [String], ranks: [Int]? = nil) -> String {
        var groups = [(name: String, ranks: [Int])]()
        for (rank, name) in zip(ranks ?? Array(names.indices), names) {
            if let i = groups.firstIndex(where: { $0.name == name }) {
                groups[i].ranks.append(rank)
            } else {
                groups.append((name, [rank]))
            }
        }
        return groups.map { group in
            let r = group.ranks
            let contiguous = r.last! - r.first! + 1 == r.count
            let list =
                r.count == 1
                ? "\(r[0])" : contiguous ? "\(r.first!)-\(r.last!)" : r.map(String.init).joined(separator: ",")
            return "\(group.name) (rank\(r.count == 1 ? "" : "s") \(list))"
        }.joined(separator: ", ")
    }
}
