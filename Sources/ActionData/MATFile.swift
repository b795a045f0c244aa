import Foundation

/// Reads MATLAB level-5 MAT-files (MATLAB 5.0 to 7.2, the format of `scipy.io.savemat`).
///
/// A level-5 file is a 128-byte header (116 bytes of text, 8 bytes of subsystem offset, the
/// version 0x0100 and the endian indicator `IM` for little-endian or `MI` for big-endian files;
/// both byte orders are read) followed by data elements. Each element has an 8-byte tag (type,
/// byte count) or a 4-byte "small element" tag with up to 4 bytes of data, and is padded to 8
/// bytes. A variable is one `miMATRIX` element, or one `miCOMPRESSED` element holding a zlib
/// stream of an `miMATRIX` element (MATLAB's default since 7.0, `do_compression=True` in scipy).
///
/// Supported: double, single and all integer classes (whatever compact type the data is stored
/// as: MATLAB often stores doubles as `miUINT8` or `miINT16` and so on), logical arrays, char
/// arrays (`miUTF8`, `miUINT16`/`miUTF16`, `miUTF32`, `miUINT8`), cell arrays and struct arrays,
/// nested to any depth, with any number of dimensions. Not supported (a ``MATError`` says so):
/// complex and sparse arrays, objects, function handles, HDF5-based v7.3 files. Values are
/// returned in row-major order; see ``MATValue``.
public enum MATFile {
    /// Reads every variable of the MAT-file at `url`, in file order; errors name the file's path.
    public static func read(contentsOf url: URL) throws -> [(name: String, value: MATValue)] {
        try decode(try Data(contentsOf: url), source: url.path)
    }

    /// Reads the variable called `name` from the MAT-file at `url`, or nil if it has none.
    public static func variable(named name: String, contentsOf url: URL) throws -> MATValue? {
        try read(contentsOf: url).first { $0.name == name }?.value
    }

    /// Decodes the bytes of a MAT-file; `source` names the data in error messages.
    public static func decode(_ data: Data, source: String = "<data>") throws -> [(name: String, value: MATValue)] {
        let bytes = [UInt8](data)
        let bigEndian = try checkHeader(bytes, source: source)
        let file = MATElementReader(bytes: bytes, bigEndian: bigEndian, source: source, origin: nil)
        var variables: [(name: String, value: MATValue)] = []
        var position = 128
        while position < bytes.count {
            let tag = try file.tag(at: position, end: bytes.count)
            switch tag.type {
            case MATDataType.matrix:
                variables.append(try file.matrix(tag, path: nil))
            case MATDataType.compressed:
                let inflated: [UInt8]
                do {
                    inflated = try MATInflate.decompress(bytes[tag.dataStart..<tag.dataEnd])
                } catch let failure as MATInflate.Failure {
                    throw MATError.badCompressedData(
                        source: source, location: "the compressed element at byte \(position)", detail: failure.detail)
                }
                let inner = MATElementReader(bytes: inflated, bigEndian: bigEndian, source: source, origin: position)
                let innerTag = try inner.tag(at: 0, end: inflated.count)
                guard innerTag.type == MATDataType.matrix else {
                    throw inner.malformed(at: 0, "a compressed element holds data type \(innerTag.type), not a matrix (14)")
                }
                variables.append(try inner.matrix(innerTag, path: nil))
            default:
                throw file.malformed(at: position, "a top-level element has data type \(tag.type), not a matrix (14) or compressed data (15)")
            }
            position = tag.next
        }
        return variables
    }

    /// Checks the 128-byte header and returns whether the file is big-endian.
    private static func checkHeader(_ bytes: [UInt8], source: String) throws -> Bool {
        let text = String(decoding: bytes.prefix(116), as: UTF8.self)
        guard bytes.count >= 128 else {
            if text.hasPrefix("MATLAB") {
                throw MATError.truncated(source: source, location: "byte \(bytes.count)",
                                         detail: "the 128-byte header is incomplete (\(bytes.count) bytes)")
            }
            throw MATError.notAMATFile(source: source, detail: "\(bytes.count) bytes is shorter than the 128-byte header")
        }
        let indicator = String(decoding: bytes[126..<128], as: UTF8.self)
        guard indicator == "IM" || indicator == "MI" else {
            if bytes.prefix(4).contains(0) {
                throw MATError.notAMATFile(source: source, detail: "it looks like a level-4 MAT-file (MATLAB 4), which is not supported")
            }
            throw MATError.notAMATFile(source: source, detail: "bytes 126-127 are not the endian indicator 'IM' or 'MI'")
        }
        let bigEndian = indicator == "MI"
        let version = bigEndian ? UInt16(bytes[124]) << 8 | UInt16(bytes[125]) : UInt16(bytes[125]) << 8 | UInt16(bytes[124])
        guard version == 0x0100 else {
            let hint = version == 0x0200 ? " (a MATLAB 7.3 file, which is HDF5; re-save with save -v7)" : ""
            throw MATError.unsupportedVersion(source: source, detail: String(format: "version 0x%04x%@", version, hint))
        }
        return bigEndian
    }

    /// Reorders `values` from column-major (MATLAB) to row-major order for an array of `shape`.
    static func rowMajor<T>(_ values: [T], shape: [Int]) -> [T] {
        let n = shape.count
        guard n > 1, values.count > 1 else { return values }
        var strides = [Int](repeating: 1, count: n)  // column-major strides
        for k in 1..<n { strides[k] = strides[k - 1] * shape[k - 1] }
        var out: [T] = []
        out.reserveCapacity(values.count)
        var index = [Int](repeating: 0, count: n)    // row-major counter: last index fastest
        for _ in 0..<values.count {
            var source = 0
            for k in 0..<n { source += index[k] * strides[k] }
            out.append(values[source])
            var k = n - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < shape[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        return out
    }
}

/// The data types of MAT-file elements (`mi*` constants of the MAT-file format).
enum MATDataType {
    static let int8: UInt32 = 1, uint8: UInt32 = 2, int16: UInt32 = 3, uint16: UInt32 = 4
    static let int32: UInt32 = 5, uint32: UInt32 = 6, single: UInt32 = 7, double: UInt32 = 9
    static let int64: UInt32 = 12, uint64: UInt32 = 13, matrix: UInt32 = 14, compressed: UInt32 = 15
    static let utf8: UInt32 = 16, utf16: UInt32 = 17, utf32: UInt32 = 18

    /// The size in bytes of one value of a numeric data type, or nil for other types.
    static func itemSize(_ type: UInt32) -> Int? {
        switch type {
        case int8, uint8: return 1
        case int16, uint16: return 2
        case int32, uint32, single: return 4
        case double, int64, uint64: return 8
        default: return nil
        }
    }
}

/// The tag of one data element: its type and where its data lies.
struct MATTag {
    var type: UInt32
    /// Offset of the first data byte.
    var dataStart: Int
    /// Offset just past the last data byte.
    var dataEnd: Int
    /// Offset of the next element (after padding).
    var next: Int
    /// Offset of the tag itself.
    var offset: Int
    var size: Int { dataEnd - dataStart }
}
