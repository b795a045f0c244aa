import ActionData
import Foundation

/// Token sequences as numpy files: one `(N, max length)` int64 array, padded with -1.
///
/// FAST's token count varies from chunk to chunk, so rows are padded; trailing -1 entries are
/// padding and are dropped on reading.
public enum TokenArray {
    /// Writes ragged token rows.
    public static func write(_ rows: [[Int]], to url: URL) throws {
        try NPY.write(try array(rows), to: url)
    }

    /// The rows as one `(N, max length)` int64 array padded with -1.
    public static func array(_ rows: [[Int]]) throws -> NPYArray {
        let width = rows.map(\.count).max() ?? 0
        let values = rows.flatMap { $0.map(Double.init) + [Double](repeating: -1, count: width - $0.count) }
        return try NPYArray(shape: [rows.count, width], values: values, dtype: .int64)
    }

    /// Reads rows written by ``write(_:to:)``; anything but whole non-negative ids before the padding is an error.
    public static func read(_ url: URL) throws -> [[Int]] {
        let a = try NPY.read(contentsOf: url)
        guard a.shape.count == 2 else {
            throw ActionDataError.shapeMismatch("\(url.lastPathComponent): tokens must be a 2-D array (chunks, tokens), got shape \(a.shape)")
        }
        let width = a.shape[1]
        return try (0..<a.shape[0]).map { r in
            var row = Array(a.values[r * width..<(r + 1) * width])
            while row.last == -1 { row.removeLast() }
            return try row.enumerated().map { j, v in
                guard v == v.rounded(), v >= 0, v < 9.0e15 else {
                    throw ActionDataError.invalidParameter("\(url.lastPathComponent): row \(r), position \(j) holds \(v), which is not a token id")
                }
                return Int(v)
            }
        }
    }
}
