import FlowLearnCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Embeddings of content texts kept on disk by a hash of the text, so a restart or a content reload
/// embeds only what changed. Questions people ask are embedded fresh and never written.
///
/// The file is a header (`FLEMB1`, the dimension, the model's fingerprint) and then records of a
/// 64-bit text hash and the vector, appended as new texts are embedded. A file from another model,
/// or one cut short by a crash, is read as far as it is whole; a foreign one is started afresh.
public final class EmbeddingCache: SentenceEncoding {
    let encoder: any SentenceEncoding
    let file: URL?
    let fingerprint: UInt64
    private let entries = Mutex<[UInt64: [Float]]>([:])

    public var dimension: Int { encoder.dimension }

    /// - Parameters:
    ///   - fingerprint: identifies the model (its weights' size and name): vectors of another model
    ///     are never reused.
    ///   - file: where the vectors live; nil keeps them in memory only.
    public init(encoder: any SentenceEncoding, fingerprint: UInt64, file: URL?) {
        self.encoder = encoder
        self.file = file
        self.fingerprint = fingerprint
        if let file { entries.withLock { $0 = Self.read(file, dimension: encoder.dimension, fingerprint: fingerprint) } }
    }

    /// Texts embedded so far (in memory).
    public var count: Int { entries.withLock { $0.count } }

    public func embed(_ texts: [String]) -> [[Float]] {
        let keys = texts.map(Self.key)
        var missing: [Int] = []
        var seen = Set<UInt64>()
        entries.withLock { entries in
            for (position, key) in keys.enumerated() where entries[key] == nil && seen.insert(key).inserted { missing.append(position) }
        }
        if !missing.isEmpty {
            let fresh = encoder.embed(missing.map { texts[$0] })
            var record = Data()
            entries.withLock { entries in
                for (position, vector) in zip(missing, fresh) where vector.count == dimension {
                    entries[keys[position]] = vector
                    Self.append(key: keys[position], vector: vector, to: &record)
                }
            }
            if let file { Self.write(record, to: file, dimension: dimension, fingerprint: fingerprint) }
        }
        return entries.withLock { entries in keys.map { entries[$0] ?? [Float](repeating: 0, count: dimension) } }
    }

    public func embed(question: String) -> [Float] {
        encoder.embed(question: question)
    }

    /// FNV-1a over the UTF-8 bytes.
    static func key(_ text: String) -> UInt64 {
        key(text.utf8)
    }

    static func key<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    static let magic = Data("FLEMB1".utf8)

    static func header(dimension: Int, fingerprint: UInt64) -> Data {
        var data = magic
        withUnsafeBytes(of: UInt32(dimension).littleEndian) { data.append(contentsOf: $0) }
        withUnsafeBytes(of: fingerprint.littleEndian) { data.append(contentsOf: $0) }
        return data
    }

    static func append(key: UInt64, vector: [Float], to data: inout Data) {
        withUnsafeBytes(of: key.littleEndian) { data.append(contentsOf: $0) }
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    }

    static func read(_ file: URL, dimension: Int, fingerprint: UInt64) -> [UInt64: [Float]] {
        let header = header(dimension: dimension, fingerprint: fingerprint)
        guard let data = try? Data(contentsOf: file), data.count >= header.count, data.prefix(header.count) == header else { return [:] }
        var entries: [UInt64: [Float]] = [:]
        let recordSize = 8 + 4 * dimension
        var offset = data.startIndex + header.count
        data.withUnsafeBytes { raw in
            while offset + recordSize <= data.endIndex {
                let base = offset - data.startIndex
                let key = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: base, as: UInt64.self))
                let vector = (0..<dimension).map {
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: base + 8 + 4 * $0, as: UInt32.self)))
                }
                // A damaged record (not finite, not unit length) is dropped and embedded again.
                let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }
                if norm.isFinite, abs(norm - 1) < 1e-3 { entries[key] = vector }
                offset += recordSize
            }
        }
        return entries
    }

    /// Appends records; a missing or foreign file is started with a fresh header. A failure to write
    /// costs only a later re-embedding, so it is not an error.
    static func write(_ records: Data, to file: URL, dimension: Int, fingerprint: UInt64) {
        let header = header(dimension: dimension, fingerprint: fingerprint)
        let manager = FileManager.default
        let existing = (try? FileHandle(forReadingFrom: file)).flatMap { handle -> Data? in
            defer { try? handle.close() }
            return try? handle.read(upToCount: header.count)
        }
        if existing != header {
            try? manager.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? (header + records).write(to: file, options: .atomic)
            return
        }
        // Appends under an exclusive lock: the server and the command-line tool may share the file.
        let descriptor = open(file.path, O_WRONLY | O_APPEND)
        guard descriptor >= 0 else { return }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        guard flock(descriptor, LOCK_EX) == 0 else { return }
        defer { flock(descriptor, LOCK_UN) }
        // Records are whole or cut off at the end by a crash; align to a whole record before appending.
        guard let end = try? handle.seekToEnd(), end >= UInt64(header.count) else { return }
        let recordSize = UInt64(8 + 4 * dimension)
        let whole = UInt64(header.count) + (end - UInt64(header.count)) / recordSize * recordSize
        if whole != end {
            guard (try? handle.truncate(atOffset: whole)) != nil else { return }
        }
        try? handle.write(contentsOf: records)
    }
}
