import FlowLearnCore
import Foundation

/// Loads the sentence encoder for a deployment, or says why semantic matching is off.
public enum SemanticEncoder {
    /// Where `scripts/install-deps.sh` puts the model, relative to the checkout.
    public static let defaultFolder = ".build-model/all-MiniLM-L6-v2"

    /// The MiniLM encoder in `folder`, wrapped in an on-disk cache of content embeddings
    /// (`embeddings.cache` in the same folder, or `cacheFile`).
    public static func load(folder: String, cacheFile: String? = nil) throws(EncoderError) -> any SentenceEncoding {
        let url = URL(fileURLWithPath: folder)
        let encoder = try MiniLMEncoder(folder: url)
        let fingerprint = try Self.fingerprint(folder: url, maximumTokens: encoder.tokenizer.maximumTokens)
        let cache = URL(fileURLWithPath: cacheFile ?? url.appendingPathComponent("embeddings.cache").path)
        return EmbeddingCache(encoder: encoder, fingerprint: fingerprint, file: cache)
    }

    /// Bumped whenever the encoder's code changes what it computes, so cached vectors are not reused.
    static let codeVersion = "flowlearn-minilm-1"

    /// What the cached vectors depend on: the weights (their size and the first megabyte, which holds
    /// the header and the embeddings' start), the vocabulary, the token limit and the code's version.
    static func fingerprint(folder: URL, maximumTokens: Int) throws(EncoderError) -> UInt64 {
        let weights = folder.appendingPathComponent("model.safetensors")
        let vocabulary = folder.appendingPathComponent("vocab.txt")
        guard let handle = try? FileHandle(forReadingFrom: weights), let head = try? handle.read(upToCount: 1 << 20),
            let words = try? Data(contentsOf: vocabulary)
        else { throw .unreadable(folder.path, "model.safetensors or vocab.txt") }
        try? handle.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: weights.path)[.size] as? Int) ?? 0
        var identity = Data("\(codeVersion) \(size) \(maximumTokens) ".utf8)
        identity.append(head)
        identity.append(words)
        return EmbeddingCache.key(identity)
    }
}
