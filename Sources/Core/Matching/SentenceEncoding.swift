/// Text in, unit-length vector out: what the matcher needs of a sentence encoder.
///
/// The core knows only this protocol; the MiniLM implementation (and its BLAS) lives in
/// `FlowLearnEncoder`, so core tests can pass a small fake.
public protocol SentenceEncoding: Sendable {
    /// Length of every embedding.
    var dimension: Int { get }
    /// Unit-length embeddings of content texts (examples, titles, passages), in their order: an
    /// implementation may cache them.
    func embed(_ texts: [String]) -> [[Float]]
    /// The embedding of one question someone asked: never kept.
    func embed(question: String) -> [Float]
}

extension SentenceEncoding {
    public func embed(question: String) -> [Float] {
        embed([question]).first ?? []
    }
}
