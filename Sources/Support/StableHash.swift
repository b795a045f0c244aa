import Crypto
import Foundation

/// Content hashes that are stable across runs, processes and machines.
///
/// Swift's `Hasher` is randomly seeded per process, so anything persisted (cache keys, checksums,
/// stream labels) goes through these functions instead.
public enum StableHash {
    /// 64-bit FNV-1a of a string's UTF-8 bytes; cheap, for deriving random sub-streams.
    public static func fnv1a64(_ string: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in string.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// Lower-case hex SHA-256 of `bytes`.
    public static func sha256Hex<D: DataProtocol>(_ bytes: D) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Lower-case hex SHA-256 of a string's UTF-8 bytes.
    public static func sha256Hex(_ string: String) -> String { sha256Hex(Data(string.utf8)) }

    /// Lower-case hex SHA-256 over the raw little-endian bytes of `values`.
    public static func sha256Hex(_ values: [Double]) -> String {
        values.withUnsafeBytes { sha256Hex(Data($0)) }
    }
}
