import Support
/// The MATLAB class of a numeric array read from a MAT-file.
///
/// `logical` arrays are numeric arrays with the logical flag set; their values are 0 or 1.
public enum MATClass: String, Sendable, CaseIterable {
    case double, single, int8, uint8, int16, uint16, int32, uint32, int64, uint64, logical
}

/// One MATLAB value read from a level-5 MAT-file: a numeric, char, cell or struct array.
///
/// Every array keeps MATLAB's shape (at least two dimensions, `[1, 1]` for a scalar) and lists
/// its elements in C (row-major) order: the last index varies fastest, as in NumPy's `C` order,
/// although MATLAB stores them column-major. A `2 x 1000` matrix therefore lists the 1000 values
/// of row 0, then those of row 1. Numeric values are `Double` whatever the class or the stored
/// type; `int64`/`uint64` values beyond 2^53 are rounded to the nearest `Double`.
public indirect enum MATValue: Equatable, Sendable {
    /// A real numeric or logical array.
    case numeric(shape: [Int], values: [Double], type: MATClass)
    /// A char array; rows (first index) are joined with `"\n"`, so a `1 x n` array is one line.
    case char(shape: [Int], text: String)
    /// A cell array; `elements` in row-major order.
    case cell(shape: [Int], elements: [MATValue])
    /// A struct array; `elements` in row-major order, each holding one value per field, in the
    /// order of `fields`.
    case structArray(shape: [Int], fields: [String], elements: [[MATValue]])

    /// The MATLAB dimensions.
    public var shape: [Int] {
        switch self {
        case .numeric(let shape, _, _), .char(let shape, _), .cell(let shape, _), .structArray(let shape, _, _):
            return shape
        }
    }

    /// The number of elements: the product of ``shape``.
    public var count: Int { shape.reduce(1, *) }

    /// The values of a numeric array (row-major), or nil for other kinds.
    public var numbers: [Double]? {
        if case .numeric(_, let values, _) = self { return values }
        return nil
    }

    /// The single value of a numeric array with exactly one element, or nil.
    public var scalar: Double? {
        if case .numeric(_, let values, _) = self, values.count == 1 { return values[0] }
        return nil
    }

    /// The rows of a two-dimensional numeric array, or nil for other kinds and shapes.
    public var rows: [[Double]]? {
        guard case .numeric(let shape, let values, _) = self, shape.count == 2 else { return nil }
        let columns = shape[1]
        return (0..<shape[0]).map { r in Array(values[(r * columns)..<((r + 1) * columns)]) }
    }

    /// The text of a char array, or nil for other kinds.
    public var string: String? {
        if case .char(_, let text) = self { return text }
        return nil
    }

    /// The elements of a cell array (row-major), or nil for other kinds.
    public var cellElements: [MATValue]? {
        if case .cell(_, let elements) = self { return elements }
        return nil
    }

    /// The field names of a struct array, or nil for other kinds.
    public var fieldNames: [String]? {
        if case .structArray(_, let fields, _) = self { return fields }
        return nil
    }

    /// The value of field `name` in element `index` (row-major) of a struct array, or nil.
    public func field(_ name: String, at index: Int = 0) -> MATValue? {
        guard case .structArray(_, let fields, let elements) = self,
              let f = fields.firstIndex(of: name), elements.indices.contains(index) else { return nil }
        return elements[index][f]
    }

    /// The value of field `name` in the first element of a struct array, or nil.
    public subscript(field name: String) -> MATValue? { field(name) }

    /// A short description of the kind and shape, e.g. `2x1000 double`, for messages.
    public var summary: String {
        let dims = shape.map(String.init).joined(separator: "x")
        switch self {
        case .numeric(_, _, let type): return "\(dims) \(type.rawValue)"
        case .char: return "\(dims) char"
        case .cell: return "\(dims) cell"
        case .structArray: return "\(dims) struct"
        }
    }
}

/// Errors raised while reading a MATLAB MAT-file.
///
/// Every case names the file (`source`); byte locations are offsets in the file, or in the data
/// decompressed from a compressed element (the message then names that element's offset).
public enum MATError: Error, CustomStringConvertible, Equatable {
    /// The data is not a level-5 MAT-file (no 128-byte header with the `IM`/`MI` indicator).
    case notAMATFile(source: String, detail: String)
    /// The header announces a version other than level 5 (0x0100), e.g. an HDF5-based v7.3 file.
    case unsupportedVersion(source: String, detail: String)
    /// An element announces more bytes than the file (or its enclosing element) holds.
    case truncated(source: String, location: String, detail: String)
    /// A compressed element is not a valid zlib stream, or its checksum does not match.
    case badCompressedData(source: String, location: String, detail: String)
    /// The element structure is inconsistent (wrong tag type, sizes that do not add up, ...).
    case malformed(source: String, location: String, detail: String)
    /// The variable has a MATLAB class this reader does not handle (objects, function handles, ...).
    case unsupportedClass(source: String, variable: String, className: String)
    /// The variable uses a feature this reader does not handle (sparse or complex arrays).
    case unsupportedFeature(source: String, variable: String, feature: String)

    /// The file or data the error concerns.
    public var source: String {
        switch self {
        case .notAMATFile(let s, _), .unsupportedVersion(let s, _), .truncated(let s, _, _),
             .badCompressedData(let s, _, _), .malformed(let s, _, _), .unsupportedClass(let s, _, _),
             .unsupportedFeature(let s, _, _):
            return s
        }
    }

    /// A plain-words message that names the file and the problem.
    public var description: String {
        switch self {
        case .notAMATFile(let source, let detail):
            return "\(source): not a MATLAB level-5 MAT-file: \(detail)"
        case .unsupportedVersion(let source, let detail):
            return "\(source): unsupported MAT-file version: \(detail) (only level-5 files, MATLAB 5 to 7.2, are read)"
        case .truncated(let source, let location, let detail):
            return "\(source): the file is truncated at \(location): \(detail)"
        case .badCompressedData(let source, let location, let detail):
            return "\(source): bad compressed data at \(location): \(detail)"
        case .malformed(let source, let location, let detail):
            return "\(source): malformed MAT-file at \(location): \(detail)"
        case .unsupportedClass(let source, let variable, let className):
            return "\(source): variable '\(variable)' has the MATLAB class \(className), which is not supported"
        case .unsupportedFeature(let source, let variable, let feature):
            return "\(source): variable '\(variable)' is \(feature), which is not supported"
        }
    }
}

extension MATError: InputError {}
