/// A configuration problem, said in one line that names the file and the key.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var key: String
    public var problem: String

    public init(file: String, key: String, problem: String) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String {
        key.isEmpty ? "\(file): \(problem)" : "\(file): key '\(key)': \(problem)"
    }
}
