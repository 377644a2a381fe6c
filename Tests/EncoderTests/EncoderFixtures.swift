import Foundation
import Testing

@testable import FlowLearnEncoder

/// The reference fixtures (made by scripts/make-encoder-fixtures.py with sentence-transformers) and
/// the model files that `scripts/install-deps.sh` fetches.
enum EncoderFixtures {
    struct Case: Decodable {
        var text: String
        var ids: [Int32]
        var embedding: [Float]?
    }

    struct File: Decodable {
        var maxTokens: Int?
        var cases: [Case]
    }

    static func load(_ name: String) throws -> File {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "json"))
        return try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
    }

    /// The checkout's model folder (`.build-model/all-MiniLM-L6-v2`, or FLOWLEARN_ENCODER).
    static var modelFolder: URL {
        if let folder = ProcessInfo.processInfo.environment["FLOWLEARN_ENCODER"] { return URL(fileURLWithPath: folder) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(SemanticEncoder.defaultFolder)
    }

    /// One encoder for the whole test run: loading reads 90 MB.
    static let encoder: Result<MiniLMEncoder, EncoderError> = Result { () throws(EncoderError) in try MiniLMEncoder(folder: modelFolder) }

    static func cosine(_ a: [Float], _ b: [Float]) -> Double {
        var (dot, na, nb) = (0.0, 0.0, 0.0)
        for (x, y) in zip(a, b) {
            dot += Double(x) * Double(y)
            na += Double(x) * Double(x)
            nb += Double(y) * Double(y)
        }
        return na == 0 || nb == 0 ? 0 : dot / (na.squareRoot() * nb.squareRoot())
    }
}
