import Foundation

/// The weights of a BERT-style encoder (all-MiniLM-L6-v2: 6 layers, 384 wide, 12 heads), as read
/// from `model.safetensors`. Query, key and value are stacked into one matrix so a layer's three
/// projections are one matrix product.
struct MiniLMWeights: Sendable {
    struct Layer: Sendable {
        /// [3·hidden, hidden]: query, key, value rows.
        var queryKeyValue: [Float]
        var queryKeyValueBias: [Float]
        var attentionOutput: [Float]
        var attentionOutputBias: [Float]
        var attentionNormScale: [Float]
        var attentionNormBias: [Float]
        var intermediate: [Float]
        var intermediateBias: [Float]
        var output: [Float]
        var outputBias: [Float]
        var outputNormScale: [Float]
        var outputNormBias: [Float]
    }

    var hidden: Int
    var heads: Int
    var intermediateSize: Int
    var vocabularySize: Int
    var positions: Int
    var wordEmbeddings: [Float]
    var positionEmbeddings: [Float]
    /// Token type 0: every sentence is a single segment.
    var tokenTypeEmbedding: [Float]
    var embeddingNormScale: [Float]
    var embeddingNormBias: [Float]
    var layers: [Layer]
    var normEpsilon: Float = 1e-12

    /// Reads `config.json` for the sizes and `model.safetensors` for the weights.
    init(folder: URL) throws(EncoderError) {
        let configURL = folder.appendingPathComponent("config.json")
        let config: [String: Any]
        do {
            let data = try Data(contentsOf: configURL)
            guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw EncoderError.malformed(configURL.path, "not a JSON object")
            }
            config = object
        } catch let error as EncoderError {
            throw error
        } catch {
            throw .unreadable(configURL.path, error.localizedDescription)
        }
        func size(_ key: String) throws(EncoderError) -> Int {
            guard let value = config[key] as? Int, value > 0, value <= 1 << 20 else {
                throw .malformed(configURL.path, "'\(key)' is missing or not a positive number")
            }
            return value
        }
        hidden = try size("hidden_size")
        heads = try size("num_attention_heads")
        intermediateSize = try size("intermediate_size")
        vocabularySize = try size("vocab_size")
        positions = try size("max_position_embeddings")
        let layerCount = try size("num_hidden_layers")
        guard positions >= 2 else { throw .malformed(configURL.path, "max_position_embeddings must be at least 2") }
        guard hidden % heads == 0 else { throw .malformed(configURL.path, "hidden_size is not a multiple of num_attention_heads") }
        if let epsilon = config["layer_norm_eps"] as? Double { normEpsilon = Float(epsilon) }
        if let activation = config["hidden_act"] as? String, activation != "gelu" {
            throw .malformed(configURL.path, "hidden_act '\(activation)' (only gelu is implemented)")
        }

        let file = try SafeTensors(contentsOf: folder.appendingPathComponent("model.safetensors"))
        let (h, i) = (hidden, intermediateSize)
        wordEmbeddings = try file.tensor("embeddings.word_embeddings.weight", shape: [vocabularySize, h])
        positionEmbeddings = try file.tensor("embeddings.position_embeddings.weight", shape: [positions, h])
        tokenTypeEmbedding = Array(try file.tensor("embeddings.token_type_embeddings.weight", shape: [2, h]).prefix(h))
        embeddingNormScale = try file.tensor("embeddings.LayerNorm.weight", shape: [h])
        embeddingNormBias = try file.tensor("embeddings.LayerNorm.bias", shape: [h])
        var layers: [Layer] = []
        for number in 0..<layerCount {
            let prefix = "encoder.layer.\(number)."
            func matrix(_ name: String, _ shape: [Int]) throws(EncoderError) -> [Float] { try file.tensor(prefix + name, shape: shape) }
            layers.append(
                Layer(
                    queryKeyValue: try matrix("attention.self.query.weight", [h, h]) + matrix("attention.self.key.weight", [h, h])
                        + matrix("attention.self.value.weight", [h, h]),
                    queryKeyValueBias: try matrix("attention.self.query.bias", [h]) + matrix("attention.self.key.bias", [h])
                        + matrix("attention.self.value.bias", [h]),
                    attentionOutput: try matrix("attention.output.dense.weight", [h, h]),
                    attentionOutputBias: try matrix("attention.output.dense.bias", [h]),
                    attentionNormScale: try matrix("attention.output.LayerNorm.weight", [h]),
                    attentionNormBias: try matrix("attention.output.LayerNorm.bias", [h]),
                    intermediate: try matrix("intermediate.dense.weight", [i, h]),
                    intermediateBias: try matrix("intermediate.dense.bias", [i]),
                    output: try matrix("output.dense.weight", [h, i]),
                    outputBias: try matrix("output.dense.bias", [h]),
                    outputNormScale: try matrix("output.LayerNorm.weight", [h]),
                    outputNormBias: try matrix("output.LayerNorm.bias", [h])))
        }
        self.layers = layers
    }
}
