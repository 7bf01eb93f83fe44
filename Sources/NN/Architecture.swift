// What the network is, as one Codable value: hidden layers, an optional numerical
// embedding of the input features, and the number of ensemble members.

/// The embedding of each numerical feature before the first hidden layer (Gorishniy et
/// al., NeurIPS 2022).
public enum NumericalEmbedding: Codable, Sendable, Equatable {
    /// PLR: per feature, `frequencies` learned frequencies c (initialised N(0, sigma²),
    /// cut at ±3·sigma), [cos 2πcx, sin 2πcx], a per-feature linear map to `size`, ReLU.
    case periodic(frequencies: Int, size: Int, sigma: Double)
    /// PLE: per feature, up to `bins` bins between training quantiles; a value encodes as
    /// how far it has crossed each bin (0 before, 1 after, linear inside). No parameters.
    case piecewiseLinear(bins: Int)

    public static let periodicDefault = NumericalEmbedding.periodic(frequencies: 48, size: 24, sigma: 0.01)
    public static let piecewiseLinearDefault = NumericalEmbedding.piecewiseLinear(bins: 48)

    public var name: String {
        switch self {
        case .periodic: return "periodic"
        case .piecewiseLinear: return "ple"
        }
    }
}

/// The network: input embedding, hidden layers, ensemble members.
public struct Architecture: Codable, Sendable, Equatable {
    /// Hidden layer sizes (ReLU after each).
    public var hidden: [Int]
    /// Numerical embedding of the input (nil: the standardised features as they are).
    public var embedding: NumericalEmbedding?
    /// Members of the efficient ensemble (TabM-mini: one shared network, a per-member
    /// scaling of its input and a per-member head; the prediction is the members' mean).
    public var members: Int

    public init(hidden: [Int], embedding: NumericalEmbedding? = nil, members: Int = 1) {
        self.hidden = hidden
        self.embedding = embedding
        self.members = members
    }
}
