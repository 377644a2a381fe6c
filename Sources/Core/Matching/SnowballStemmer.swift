import CStemmer
import Synchronization

/// Snowball stemming through Debian's libstemmer ("reimbursed", "reimbursement" → "reimburs").
///
/// A libstemmer handle is not thread-safe, so calls are serialised by a mutex; the matcher stems its whole
/// vocabulary once at build time and only reaches for this on words it has never seen.
public final class SnowballStemmer: Sendable {
    private final class Handle: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
        deinit { sb_stemmer_delete(pointer) }
    }

    private let handle: Mutex<Handle>
    /// The Snowball algorithm name, e.g. `english`.
    public let language: String

    /// Fails for a language libstemmer does not know; `availableLanguages` lists the ones it does.
    public init(language: String) throws(MatcherError) {
        guard let pointer = sb_stemmer_new(language, "UTF_8") else {
            throw MatcherError.unknownLanguage(language, available: Self.availableLanguages)
        }
        self.language = language
        self.handle = Mutex(Handle(pointer))
    }

    public static var availableLanguages: [String] {
        var names: [String] = []
        guard var cursor = sb_stemmer_list() else { return [] }
        while let name = cursor.pointee {
            names.append(String(cString: name))
            cursor = cursor.advanced(by: 1)
        }
        return names
    }

    public func stem(_ word: String) -> String {
        var bytes = Array(word.utf8)
        return handle.withLock { handle in
            bytes.withUnsafeMutableBufferPointer { buffer in
                guard let stemmed = sb_stemmer_stem(handle.pointer, buffer.baseAddress, Int32(buffer.count)) else {
                    return word
                }
                let length = Int(sb_stemmer_length(handle.pointer))
                return String(decoding: UnsafeBufferPointer(start: stemmed, count: length), as: UTF8.self)
            }
        }
    }
}

/// Why a matcher could not be built.
public enum MatcherError: Error, Equatable, CustomStringConvertible {
    case unknownLanguage(String, available: [String])
    /// `model: semantic` without a sentence encoder (its model files are missing).
    case noEncoder

    public var description: String {
        switch self {
        case .unknownLanguage(let name, let available):
            return "stemming language '\(name)' is not available (choose one of: \(available.joined(separator: ", ")))"
        case .noEncoder:
            return "matcher model 'semantic' needs the sentence encoder's model files (run scripts/install-deps.sh), or choose auto, learned or keyword"
        }
    }
}
