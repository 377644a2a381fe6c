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
        let weights = url.appendingPathComponent("model.safetensors")
        let size = (try? FileManager.default.attributesOfItem(atPath: weights.path)[.size] as? Int) ?? 0
        let fingerprint = EmbeddingCache.key("all-MiniLM-L6-v2 \(size) \(encoder.tokenizer.maximumTokens)")
        let cache = URL(fileURLWithPath: cacheFile ?? url.appendingPathComponent("embeddings.cache").path)
        return EmbeddingCache(encoder: encoder, fingerprint: fingerprint, file: cache)
    }
}
