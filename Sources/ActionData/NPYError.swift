import Foundation
import Support

/// Errors raised while reading or writing NumPy `.npy` and `.npz` files.
///
/// Every case that concerns a file carries a `source` (a path, or `archive.npz:entry.npy` for an
/// entry inside an archive), and ``description`` names that source and the problem in plain words.
public enum NPYError: Error, CustomStringConvertible, Equatable {
    /// The data does not start with the `\x93NUMPY` magic string.
    case badMagic(source: String)
    /// The format version is not 1.0, 2.0 or 3.0.
    case unsupportedVersion(source: String, major: Int, minor: Int)
    /// The header is not a valid Python dict literal with `descr`, `fortran_order` and `shape`.
    case malformedHeader(source: String, detail: String)
    /// The dtype is valid NumPy but not one this reader handles (complex, strings, structured, ...).
    case unsupportedDType(source: String, descr: String)
    /// The file ends before the header or the data it announces.
    case truncated(source: String, expectedBytes: Int, actualBytes: Int)
    /// The number of values does not match the product of the shape (or a dimension is negative).
    case shapeMismatch(shape: [Int], count: Int)
    /// The file holds a Python object array (`|O`), which needs pickle and is never read.
    case objectArray(source: String)
    /// A value cannot be stored exactly in the requested integer or bool dtype.
    case unrepresentableValue(dtype: NPYDType, value: Double, index: Int)
    /// An `.npz` archive has no entry with the requested name; `names` are the arrays it holds.
    case missingNPZEntry(source: String, name: String, names: [String])
    /// An array name given to ``NPZ/write(_:to:compressed:)`` is empty or used twice.
    case invalidNPZEntryName(name: String, detail: String)
    /// The data is not a readable ZIP archive of `.npy` entries.
    case notAnNPZ(source: String, detail: String)
    /// The file cannot be read at all (missing, a folder, no permission); `reason` in plain words.
    case unreadable(source: String, reason: String)
    /// An `.npz` archive holds several arrays and none was chosen (`file.npz:name`).
    case ambiguousNPZ(source: String, names: [String])

    /// A plain-words message that names the file (or entry) and the problem.
    public var description: String {
        switch self {
        case .badMagic(let source):
            return "\(source): not a NumPy .npy file (it does not start with the \\x93NUMPY magic string)"
        case .unsupportedVersion(let source, let major, let minor):
            return "\(source): .npy format version \(major).\(minor) is not supported (only 1.0, 2.0 and 3.0 are)"
        case .malformedHeader(let source, let detail):
            return "\(source): the .npy header is malformed: \(detail)"
        case .unsupportedDType(let source, let descr):
            return "\(source): dtype \(descr) is not supported (supported: bool, int8-64, uint8-64, float16/32/64)"
        case .truncated(let source, let expectedBytes, let actualBytes):
            return "\(source): the file is truncated: it should have at least \(expectedBytes) bytes but has \(actualBytes)"
        case .shapeMismatch(let shape, let count):
            return "shape \(shape) does not fit \(count) value(s): the product of the dimensions must equal the count and no dimension may be negative"
        case .objectArray(let source):
            return "\(source): the file holds a Python object array (dtype |O), which needs pickle and is never read"
        case .unrepresentableValue(let dtype, let value, let index):
            return "value \(value) at index \(index) cannot be stored exactly as \(dtype)"
        case .missingNPZEntry(let source, let name, let names):
            let hint = Suggestion.closest(to: name, in: names).map { " (did you mean \($0)?)" } ?? ""
            return "\(source): the archive has no array named '\(name)'\(hint); it holds: "
                + (names.isEmpty ? "no arrays" : names.joined(separator: ", "))
        case .invalidNPZEntryName(let name, let detail):
            return "array name '\(name)' cannot be written to an .npz archive: \(detail)"
        case .notAnNPZ(let source, let detail):
            return "\(source): not a readable .npz archive: \(detail)"
        case .unreadable(let source, let reason):
            return "\(source): cannot be read: \(reason)"
        case .ambiguousNPZ(let source, let names):
            return "\(source) holds \(names.count) arrays (\(names.joined(separator: ", "))); choose one as \(source):NAME"
        }
    }
}

extension NPYError: InputError {}
