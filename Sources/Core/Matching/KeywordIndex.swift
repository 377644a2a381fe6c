/// An inverted index from terms to the documents that hold them, each posting with a weight.
///
/// Scoring a query is a sum of posting weights, so the index does not care where the weights came from:
/// `BM25Weighting` fills them from corpus statistics; a learned model can fill them from examples.
public struct KeywordIndex: Sendable {
    /// One document's weight for one term.
    public struct Posting: Sendable, Hashable {
        public var document: Int32
        public var weight: Float

        public init(document: Int32, weight: Float) {
            self.document = document
            self.weight = weight
        }
    }

    public private(set) var termIDs: [String: Int32] = [:]
    public private(set) var postings: [[Posting]] = []
    /// The most a term can add to a document's score: how much a query term "weighs" when measuring how
    /// much of a question a document explains (see `Matcher`'s confidence).
    public private(set) var termMass: [Float] = []
    /// How many documents hold each term.
    public private(set) var documentFrequency: [Int] = []
    public let documentCount: Int

    public init(documentCount: Int) {
        self.documentCount = documentCount
    }

    /// Adds a term (or returns the existing one) with its postings and mass.
    @discardableResult
    public mutating func add(term: String, postings: [Posting], mass: Float) -> Int32 {
        if let id = termIDs[term] {
            self.postings[Int(id)] = postings
            termMass[Int(id)] = mass
            documentFrequency[Int(id)] = postings.count
            return id
        }
        let id = Int32(self.postings.count)
        termIDs[term] = id
        self.postings.append(postings)
        termMass.append(mass)
        documentFrequency.append(postings.count)
        return id
    }

    public func id(of term: String) -> Int32? { termIDs[term] }

    /// Adds `factor ×` each posting weight of the term into `scores`, recording documents touched first.
    @inlinable
    func accumulate(term: Int32, factor: Float, into scores: inout [Float], touched: inout [Int32]) {
        for posting in postings[Int(term)] {
            let document = Int(posting.document)
            if scores[document] == 0 { touched.append(posting.document) }
            scores[document] += factor * posting.weight
        }
    }
}
