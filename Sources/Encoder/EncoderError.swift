/// Why the sentence encoder could not be loaded; each names the file or tensor to look at.
public enum EncoderError: Error, CustomStringConvertible, Equatable {
    case unreadable(String, String)
    case malformed(String, String)
    case missingTensor(String)
    case wrongShape(String, expected: [Int], found: [Int])
    case missingModel(String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): cannot be read (\(reason))"
        case .malformed(let path, let reason): return "\(path): not a usable model file: \(reason)"
        case .missingTensor(let name): return "model.safetensors has no tensor '\(name)'"
        case .wrongShape(let name, let expected, let found): return "tensor '\(name)' has shape \(found), expected \(expected)"
        case .missingModel(let folder):
            return "no sentence-encoder model in \(folder) (model.safetensors, vocab.txt): run scripts/install-deps.sh to fetch it"
        }
    }
}
