/// Words too common to say what a question is about. Only English has a list here; for another
/// stemming language no words are dropped (BM25's idf still discounts the common ones).
public enum Stopwords {
    public static func list(for language: String) -> Set<String> {
        language == "english" || language == "porter" ? english : []
    }

    static let english: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "cant", "cannot", "could", "couldnt", "did", "didnt", "do", "does", "doesnt", "doing", "dont", "down",
        "during", "each", "few", "for", "from", "further", "had", "hadnt", "has", "hasnt", "have", "havent",
        "having", "he", "hed", "hell", "her", "here", "heres", "hers", "herself", "hes", "him", "himself", "his",
        "how", "hows", "i", "id", "if", "ill", "im", "in", "into", "is", "isnt", "it", "its", "itself", "ive",
        "just", "lets", "me", "more", "most", "my", "myself", "of", "off", "on", "once", "only", "or", "other",
        "ought", "our", "ours", "ourselves", "out", "over", "own", "please", "same", "shant", "she", "shed",
        "shell", "shes", "should", "shouldnt", "so", "some", "such", "than", "that", "thats", "the", "their",
        "theirs", "them", "themselves", "then", "there", "theres", "these", "they", "theyd", "theyll", "theyre",
        "theyve", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "wasnt", "we",
        "wed", "well", "were", "weve", "werent", "what", "whats", "when", "whens", "where", "wheres", "which",
        "while", "who", "whos", "whom", "why", "whys", "will", "with", "wont", "would", "wouldnt", "you", "youd",
        "youll", "youre", "youve", "your", "yours", "yourself", "yourselves", "hi", "hello", "hey", "thanks",
        "thank", "pls", "u", "ur",
    ]
}
