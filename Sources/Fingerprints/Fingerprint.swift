// Short content hashes: of the data and the LDS weights (stored in checkpoints, so a
// checkpoint is not continued on other data), and of the configuration (to check that
// every rank trains the same thing). SHA-256 from swift-crypto, cut to 64 bits.
import Crypto

public struct Fingerprint {
    private var hasher = SHA256()

    public init() {}

    public mutating func add(_ word: UInt64) {
        withUnsafeBytes(of: word.littleEndian) { hasher.update(bufferPointer: $0) }
    }

    public mutating func add(_ text: String) {
        hasher.update(data: Array(text.utf8))
    }

    public mutating func add(bytes: [UInt8]) {
        hasher.update(data: bytes)
    }

    /// The first 8 bytes of the digest, little-endian.
    public func value() -> UInt64 {
        Array(hasher.finalize()).prefix(8).reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// SHA-256 of `bytes` (the checkpoint checksum).
    public static func sha256(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Array(SHA256.hash(data: Array(bytes)))
    }
}
