import Crypto
import Foundation

/// Name-based UUIDs, version 5 (RFC 4122 §4.3, SHA-1): the same namespace and name always give the
/// same UUID, so a statement rebuilt from the same stored row after a crash keeps its id.
/// Written here because Foundation makes only random UUIDs; SHA-1 comes from swift-crypto.
public enum UUIDv5 {
    /// RFC 4122 appendix C: the namespace for fully qualified domain names.
    public static let dnsNamespace = UUID(uuid: (0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8))
    /// RFC 4122 appendix C: the namespace for URLs.
    public static let urlNamespace = UUID(uuid: (0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8))

    public static func make(namespace: UUID, name: String) -> UUID {
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Array(name.utf8))
        var bytes = Array(hasher.finalize())  // 20 bytes; the UUID takes the first 16
        bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (
            bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
            bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
