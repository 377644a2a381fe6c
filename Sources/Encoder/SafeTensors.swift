import Foundation

/// The tensors of a `.safetensors` file: an 8-byte little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the raw data.
///
/// Written by hand: the format is a page long and no Swift package for it is on this machine. Only
/// 32-bit float tensors are read (the MiniLM weights); anything else is named in the error.
struct SafeTensors {
    struct Tensor {
        var shape: [Int]
        var values: [Float]
    }

    private(set) var tensors: [String: Tensor] = [:]

    init(contentsOf url: URL) throws(EncoderError) {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw .unreadable(url.path, error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    init(data: Data, path: String) throws(EncoderError) {
        guard data.count >= 8 else { throw .malformed(path, "shorter than its 8-byte header length") }
        var headerLength: UInt64 = 0
        for offset in 0..<8 { headerLength |= UInt64(data[data.startIndex + offset]) << (8 * UInt64(offset)) }
        guard headerLength <= UInt64(data.count - 8) else { throw .malformed(path, "header length \(headerLength) past the end of the file") }
        let dataStart = 8 + Int(headerLength)
        let header = data.subdata(in: data.startIndex + 8..<data.startIndex + dataStart)
        guard let entries = (try? JSONSerialization.jsonObject(with: header)) as? [String: Any] else {
            throw .malformed(path, "header is not a JSON object")
        }
        for (name, entry) in entries where name != "__metadata__" {
            guard let entry = entry as? [String: Any], let dtype = entry["dtype"] as? String,
                let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2
            else { throw .malformed(path, "tensor '\(name)' has no dtype, shape or data_offsets") }
            guard dtype == "F32" else { continue }  // e.g. the I64 position ids, which the encoder does not need
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= data.count - dataStart else {
                throw .malformed(path, "tensor '\(name)' has data_offsets \(offsets) outside the file")
            }
            var count = 1
            for dimension in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard dimension >= 0, !overflow, product <= (end - begin) else {
                    throw .malformed(path, "tensor '\(name)' has shape \(shape), larger than its \(end - begin) bytes")
                }
                count = product
            }
            guard end - begin == count * 4 else {
                throw .malformed(path, "tensor '\(name)' has \(end - begin) bytes for shape \(shape)")
            }
            var values = [Float](repeating: 0, count: count)
            _ = values.withUnsafeMutableBytes { target in
                data.copyBytes(to: target, from: data.startIndex + dataStart + begin..<data.startIndex + dataStart + end)
            }
            // The format is little-endian, as is every machine Swift on Linux runs on; say so if not.
            if UInt32(littleEndian: 1) != 1 { values = values.map { Float(bitPattern: UInt32(littleEndian: $0.bitPattern)) } }
            tensors[name] = Tensor(shape: shape, values: values)
        }
    }

    /// The named tensor, checked against the shape the model needs.
    func tensor(_ name: String, shape: [Int]) throws(EncoderError) -> [Float] {
        guard let tensor = tensors[name] else { throw .missingTensor(name) }
        guard tensor.shape == shape else { throw .wrongShape(name, expected: shape, found: tensor.shape) }
        return tensor.values
    }
}
