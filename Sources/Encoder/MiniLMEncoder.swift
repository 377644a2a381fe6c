import CBLAS
import FlowLearnCore
import Foundation

/// all-MiniLM-L6-v2 in Swift: WordPiece ids, the 6-layer transformer, mean pooling, unit length.
///
/// A batch is run as one matrix of all its sentences' tokens, so the dense layers (nearly all the
/// work) are one BLAS product each whatever the lengths, with no padding; attention, the only step
/// that mixes tokens, runs sentence by sentence. OpenBLAS runs on one thread; `embed` splits large
/// batches over the cores itself.
public final class MiniLMEncoder: SentenceEncoding, Sendable {
    // Immutable after init; the weights are only read, so concurrent calls are safe.
    let weights: MiniLMWeights
    public let tokenizer: WordPieceTokenizer
    /// The folder the model came from.
    public let folder: URL

    public var dimension: Int { weights.hidden }

    /// Loads `config.json`, `vocab.txt` and `model.safetensors` from a folder.
    public init(folder: URL, maximumTokens: Int = 128) throws(EncoderError) {
        let manager = FileManager.default
        for file in ["config.json", "vocab.txt", "model.safetensors"]
        where !manager.fileExists(atPath: folder.appendingPathComponent(file).path) {
            throw .missingModel(folder.path)
        }
        flowlearn_blas_single_thread()
        self.folder = folder
        weights = try MiniLMWeights(folder: folder)
        tokenizer = try WordPieceTokenizer(
            vocabularyFile: folder.appendingPathComponent("vocab.txt"), maximumTokens: min(maximumTokens, weights.positions))
        guard tokenizer.vocabulary.count <= weights.vocabularySize,
            tokenizer.vocabulary.values.allSatisfy({ $0 >= 0 && Int($0) < weights.vocabularySize })
        else { throw .malformed(folder.path, "vocab.txt has more tokens than the model's vocab_size") }
    }

    /// Tokens of a question, `[CLS]` and `[SEP]` included: about 45 words. A longer message (a paste)
    /// is embedded by its start, so its cost stays near a question's (128 tokens take 8 times the
    /// arithmetic of 16).
    public static let questionTokens = 64

    /// A question's embedding, from its first `questionTokens` tokens.
    public func embed(question: String) -> [Float] {
        embedBatch([question], limit: Self.questionTokens).first ?? []
    }

    /// Unit-length sentence embeddings, in the order of `texts`.
    public func embed(_ texts: [String]) -> [[Float]] {
        let batch = 16
        let chunks = stride(from: 0, to: texts.count, by: batch).map { Array(texts[$0..<min($0 + batch, texts.count)]) }
        guard chunks.count > 1 else { return chunks.first.map { embedBatch($0) } ?? [] }
        let results = UnsafeResults(count: chunks.count)
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, chunks.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for chunk in stride(from: worker, to: chunks.count, by: workers) {
                results.set(chunk, embedBatch(chunks[chunk]))
            }
        }
        return results.values.flatMap { $0 }
    }

    /// One batch through the whole model.
    func embedBatch(_ texts: [String], limit: Int? = nil) -> [[Float]] {
        let sentences = texts.map { tokenizer.ids($0, limit: limit) }
        let h = weights.hidden
        let tokens = sentences.reduce(0) { $0 + $1.count }
        var state = [Float](repeating: 0, count: tokens * h)
        // Embeddings: word + position + token type 0, then layer norm.
        var row = 0
        for ids in sentences {
            for (position, id) in ids.enumerated() {
                let word = Int(id) * h
                let place = position * h
                for column in 0..<h {
                    state[row * h + column] =
                        weights.wordEmbeddings[word + column] + weights.positionEmbeddings[place + column] + weights.tokenTypeEmbedding[column]
                }
                row += 1
            }
        }
        layerNorm(&state, rows: tokens, scale: weights.embeddingNormScale, bias: weights.embeddingNormBias)
        var scratch = Scratch(tokens: tokens, hidden: h, intermediate: weights.intermediateSize)
        for layer in weights.layers {
            transformerLayer(layer, state: &state, lengths: sentences.map(\.count), scratch: &scratch)
        }
        // Mean over each sentence's tokens ([CLS] and [SEP] included, as the reference pools), unit length.
        var embeddings: [[Float]] = []
        var start = 0
        for ids in sentences {
            var mean = [Float](repeating: 0, count: h)
            for token in start..<start + ids.count {
                for column in 0..<h { mean[column] += state[token * h + column] }
            }
            start += ids.count
            var norm: Float = 0
            for column in 0..<h {
                mean[column] /= Float(ids.count)
                norm += mean[column] * mean[column]
            }
            let scale = norm > 0 ? 1 / norm.squareRoot() : 0
            embeddings.append(mean.map { $0 * scale })
        }
        return embeddings
    }

    struct Scratch {
        var queryKeyValue: [Float]
        var context: [Float]
        var intermediate: [Float]
        var scores: [Float]

        init(tokens: Int, hidden: Int, intermediate: Int) {
            queryKeyValue = [Float](repeating: 0, count: tokens * hidden * 3)
            context = [Float](repeating: 0, count: tokens * hidden)
            self.intermediate = [Float](repeating: 0, count: tokens * intermediate)
            scores = []
        }
    }

    func transformerLayer(_ layer: MiniLMWeights.Layer, state: inout [Float], lengths: [Int], scratch: inout Scratch) {
        let h = weights.hidden
        let tokens = lengths.reduce(0, +)
        linear(state, rows: tokens, inputs: h, weight: layer.queryKeyValue, bias: layer.queryKeyValueBias, outputs: 3 * h, into: &scratch.queryKeyValue)
        attention(lengths: lengths, scratch: &scratch)
        // The residual connections are added by the matrix products themselves (β = 1 into the state).
        linear(scratch.context, rows: tokens, inputs: h, weight: layer.attentionOutput, bias: layer.attentionOutputBias, outputs: h, into: &state, accumulate: true)
        layerNorm(&state, rows: tokens, scale: layer.attentionNormScale, bias: layer.attentionNormBias)
        let i = weights.intermediateSize
        linear(state, rows: tokens, inputs: h, weight: layer.intermediate, bias: layer.intermediateBias, outputs: i, into: &scratch.intermediate)
        scratch.intermediate.withUnsafeMutableBufferPointer { values in
            FastGELU.apply(UnsafeMutableBufferPointer(rebasing: values[0..<tokens * i]))
        }
        linear(scratch.intermediate, rows: tokens, inputs: i, weight: layer.output, bias: layer.outputBias, outputs: h, into: &state, accumulate: true)
        layerNorm(&state, rows: tokens, scale: layer.outputNormScale, bias: layer.outputNormBias)
    }

    /// Scaled dot-product attention, head by head, within each sentence.
    func attention(lengths: [Int], scratch: inout Scratch) {
        let h = weights.hidden
        let headSize = h / weights.heads
        let scale = 1 / Float(headSize).squareRoot()
        let longest = lengths.max() ?? 0
        if scratch.scores.count < longest * longest { scratch.scores = [Float](repeating: 0, count: longest * longest) }
        var start = 0
        scratch.queryKeyValue.withUnsafeBufferPointer { qkv in
            scratch.context.withUnsafeMutableBufferPointer { context in
                scratch.scores.withUnsafeMutableBufferPointer { scores in
                    guard let qkv = qkv.baseAddress, let context = context.baseAddress, let scores = scores.baseAddress else { return }
                    for length in lengths {
                        let n = Int32(length)
                        for head in 0..<weights.heads {
                            let query = qkv + start * 3 * h + head * headSize
                            let key = query + h
                            let value = query + 2 * h
                            if headSize % 8 == 0 && length <= Self.directAttentionLength {
                                // Short sentences: a BLAS call per head costs more than its few
                                // thousand multiply-adds, so eight lanes at a time here.
                                Self.scores(query: query, key: key, stride: 3 * h, headSize: headSize, length: length, scale: scale, into: scores)
                            } else {
                                cblas_sgemm(
                                    CblasRowMajor, CblasNoTrans, CblasTrans, n, n, Int32(headSize), scale,
                                    query, Int32(3 * h), key, Int32(3 * h), 0, scores, n)
                            }
                            for row in 0..<length {
                                let line = scores + row * length
                                var top = -Float.infinity
                                for column in 0..<length { top = max(top, line[column]) }
                                var sum: Float = 0
                                for column in 0..<length {
                                    line[column] = exp(line[column] - top)
                                    sum += line[column]
                                }
                                for column in 0..<length { line[column] /= sum }
                            }
                            let output = context + start * h + head * headSize
                            if headSize % 8 == 0 && length <= Self.directAttentionLength {
                                Self.mix(weights: scores, value: value, stride: 3 * h, headSize: headSize, length: length, into: output)
                            } else {
                                cblas_sgemm(
                                    CblasRowMajor, CblasNoTrans, CblasNoTrans, n, Int32(headSize), n, 1,
                                    scores, n, value, Int32(3 * h), 0, output, Int32(h))
                            }
                        }
                        start += length
                    }
                }
            }
        }
    }

    /// Sentences up to this many tokens take the direct attention loops.
    static let directAttentionLength = 48

    /// scores[i, j] = scale · query_i · key_j for one head (rows `stride` apart).
    static func scores(
        query: UnsafePointer<Float>, key: UnsafePointer<Float>, stride: Int, headSize: Int, length: Int, scale: Float,
        into scores: UnsafeMutablePointer<Float>
    ) {
        let lanes = headSize / 8
        for i in 0..<length {
            let q = UnsafeRawPointer(query + i * stride)
            for j in 0..<length {
                let k = UnsafeRawPointer(key + j * stride)
                var sum = SIMD8<Float>.zero
                for lane in 0..<lanes {
                    sum += q.loadUnaligned(fromByteOffset: lane * 32, as: SIMD8<Float>.self) * k.loadUnaligned(fromByteOffset: lane * 32, as: SIMD8<Float>.self)
                }
                scores[i * length + j] = sum.sum() * scale
            }
        }
    }

    /// output_i = Σ_j weights[i, j] · value_j for one head (output rows `hidden` apart, value rows `stride`).
    static func mix(
        weights: UnsafePointer<Float>, value: UnsafePointer<Float>, stride: Int, headSize: Int, length: Int,
        into output: UnsafeMutablePointer<Float>
    ) {
        let lanes = headSize / 8
        let hidden = stride / 3
        for i in 0..<length {
            let out = UnsafeMutableRawPointer(output + i * hidden)
            for lane in 0..<lanes {
                var sum = SIMD8<Float>.zero
                for j in 0..<length {
                    sum += weights[i * length + j] * UnsafeRawPointer(value + j * stride).loadUnaligned(fromByteOffset: lane * 32, as: SIMD8<Float>.self)
                }
                out.storeBytes(of: sum, toByteOffset: lane * 32, as: SIMD8<Float>.self)
            }
        }
    }

    /// output[rows, outputs] = input[rows, inputs] · weightᵀ + bias (PyTorch's [out, in] layout);
    /// `accumulate`: added to what `output` holds.
    func linear(
        _ input: [Float], rows: Int, inputs: Int, weight: [Float], bias: [Float], outputs: Int, into output: inout [Float], accumulate: Bool = false
    ) {
        output.withUnsafeMutableBufferPointer { out in
            guard let base = out.baseAddress else { return }
            bias.withUnsafeBufferPointer { bias in
                for row in 0..<rows {
                    let line = base + row * outputs
                    if accumulate {
                        for column in 0..<outputs { line[column] += bias[column] }
                    } else {
                        for column in 0..<outputs { line[column] = bias[column] }
                    }
                }
            }
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(outputs), Int32(inputs), 1,
                input, Int32(inputs), weight, Int32(inputs), 1, base, Int32(outputs))
        }
    }

    func layerNorm(_ values: inout [Float], rows: Int, scale: [Float], bias: [Float]) {
        let h = weights.hidden
        let epsilon = weights.normEpsilon
        values.withUnsafeMutableBufferPointer { values in
            for row in 0..<rows {
                let base = row * h
                var mean: Float = 0
                for column in 0..<h { mean += values[base + column] }
                mean /= Float(h)
                var variance: Float = 0
                for column in 0..<h {
                    let d = values[base + column] - mean
                    variance += d * d
                }
                let inverse = 1 / (variance / Float(h) + epsilon).squareRoot()
                for column in 0..<h {
                    values[base + column] = (values[base + column] - mean) * inverse * scale[column] + bias[column]
                }
            }
        }
    }
}

/// Per-chunk results written from `concurrentPerform` workers, each to its own slot.
private final class UnsafeResults: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var values: [[[Float]]]
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [[Float]]) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }
}
