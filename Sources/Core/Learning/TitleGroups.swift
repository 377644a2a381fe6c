/// Classes grouped by the words their titles share: "card arrival", "card delivery estimate" and
/// "lost or stolen card" form the group "card". Stopwords and words of a single title make no group.
enum TitleGroups {
    static func groups(titles: [String], stemmer: SnowballStemmer, stopwords: Set<String>) -> [[Int]] {
        var members: [String: [Int]] = [:]
        for (klass, title) in titles.enumerated() {
            for stem in Set(Tokenizer.tokens(title).filter { !stopwords.contains($0) }.map(stemmer.stem)) {
                members[stem, default: []].append(klass)
            }
        }
        return members.filter { $0.value.count >= 2 }.sorted { $0.key < $1.key }.map(\.value)
    }
}
