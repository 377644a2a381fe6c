/// A sparse feature vector: distinct feature ids (in no particular order) with their values.
public struct SparseVector: Sendable, Hashable {
    public var indices: [Int32]
    public var values: [Float]

    public init(indices: [Int32] = [], values: [Float] = []) {
        self.indices = indices
        self.values = values
    }

    public var isEmpty: Bool { indices.isEmpty }
}

/// Rows of sparse vectors in one contiguous block (compressed sparse rows), for training loops.
struct SparseMatrix: Sendable {
    var rowStart: [Int] = [0]
    var columns: [Int32] = []
    var values: [Float] = []

    var rowCount: Int { rowStart.count - 1 }

    mutating func append(_ vector: SparseVector) {
        columns.append(contentsOf: vector.indices)
        values.append(contentsOf: vector.values)
        rowStart.append(columns.count)
    }
}

extension SparseMatrix {
    /// The three arrays as buffers, for training loops.
    func withRows<Result>(
        _ body: (_ starts: UnsafeBufferPointer<Int>, _ columns: UnsafeBufferPointer<Int32>, _ values: UnsafeBufferPointer<Float>) -> Result
    ) -> Result {
        rowStart.withUnsafeBufferPointer { starts in
            columns.withUnsafeBufferPointer { columns in
                values.withUnsafeBufferPointer { values in body(starts, columns, values) }
            }
        }
    }
}
