/// Turns text into index terms: tokens, minus stopwords, stemmed.
public struct TextAnalyzer: Sendable {
    public let stemmer: SnowballStemmer
    public let stopwords: Set<String>

    public init(language: String) throws(MatcherError) {
        self.stemmer = try SnowballStemmer(language: language)
        self.stopwords = Stopwords.list(for: language)
    }

    /// Content words of the text, in order, unstemmed.
    public func words(_ text: String) -> [String] {
        Tokenizer.tokens(text).filter { !stopwords.contains($0) }
    }

    /// Stemmed content words of the text, in order.
    public func terms(_ text: String) -> [String] {
        words(text).map(stemmer.stem)
    }
}
