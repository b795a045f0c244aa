import Foundation
import Support

/// The element types ``NPY`` reads and writes, named by their NumPy type code without byte order.
///
/// The byte order of a file (`<`, `>`, `|`, `=`) is handled separately: reading accepts both,
/// writing is always little-endian.
public enum NPYDType: String, Sendable, CaseIterable {
    case float16 = "f2"
    case float32 = "f4"
    case float64 = "f8"
    case int8 = "i1"
    case int16 = "i2"
    case int32 = "i4"
    case int64 = "i8"
    case uint8 = "u1"
    case uint16 = "u2"
    case uint32 = "u4"
    case uint64 = "u8"
    case bool = "b1"

    /// The size of one element in bytes.
    public var itemSize: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float16, .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    /// The little-endian NumPy descr this type is written with, e.g. `<f8` or `|u1`.
    public var descr: String {
        (itemSize == 1 ? "|" : "<") + rawValue
    }
}

/// An n-dimensional numeric array as read from, or to be written to, a `.npy` file.
///
/// Values are held as `Double` in C (row-major) order, whatever the file's order and dtype.
/// `Double` holds every value of every supported dtype exactly, except `int64` and `uint64`
/// values whose magnitude exceeds 2^53 (9,007,199,254,740,992): those are rounded to the nearest
/// representable `Double` when read. Equality compares shape, dtype and values with `==`, so
/// arrays holding NaN are never equal.
public struct NPYArray: Equatable, Sendable {
    /// The dimensions; `[]` for a 0-d scalar, and any dimension may be 0.
    public var shape: [Int]
    /// The elements in C (row-major) order; `count` equals the product of `shape`.
    public var values: [Double]
    /// The dtype the array was read as, or will be written as.
    public var dtype: NPYDType

    /// Creates an array after checking that `values.count` equals the product of `shape`.
    ///
    /// Throws ``NPYError/shapeMismatch(shape:count:)`` when the counts differ or a dimension is
    /// negative. Whether the values fit `dtype` is checked when encoding.
    public init(shape: [Int], values: [Double], dtype: NPYDType = .float64) throws {
        guard let n = NPYArray.elementCount(of: shape), n == values.count else {
            throw NPYError.shapeMismatch(shape: shape, count: values.count)
        }
        self.shape = shape
        self.values = values
        self.dtype = dtype
    }

    /// Creates an array whose shape and values are already known to agree.
    init(unchecked shape: [Int], values: [Double], dtype: NPYDType) {
        self.shape = shape
        self.values = values
        self.dtype = dtype
    }

    /// The number of elements: the product of `shape` (1 for a 0-d scalar).
    public var count: Int { values.count }

    /// Returns the product of `shape`, or nil if a dimension is negative or the product overflows.
    static func elementCount(of shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, overflow) = n.multipliedReportingOverflow(by: d)
            guard !overflow else { return nil }
            n = p
        }
        return n
    }
}

/// Reads and writes single arrays in NumPy's `.npy` format (versions 1.0, 2.0 and 3.0).
///
/// Reading accepts little- and big-endian data, C and Fortran order, 0-d scalars and zero-size
/// arrays of the ``NPYDType`` element types; object arrays and structured dtypes are rejected.
/// Writing produces the same bytes as `numpy.save` for a C-ordered little-endian array.
public enum NPY {
    /// Reads the `.npy` file at `url`; errors name the file's path.
    public static func read(contentsOf url: URL) throws -> NPYArray {
        try decode(try NPY.contents(of: url), source: url.path)
    }

    /// The bytes of the file at `url`, or ``NPYError/unreadable(source:reason:)`` in plain words.
    static func contents(of url: URL) throws -> Data {
        do { return try Data(contentsOf: url) } catch { throw NPYError.unreadable(source: url.path, reason: FileProblem.describe(error)) }
    }

    /// Decodes the bytes of a `.npy` file; `source` names the data in error messages.
    public static func decode(_ data: Data, source: String = "<data>") throws -> NPYArray {
        try data.withUnsafeBytes { raw in try decode(raw, source: source) }
    }

    /// Encodes `array` as `.npy` bytes: little-endian, C order, dtype `array.dtype`.
    ///
    /// The header is version 1.0 unless it is too long for a 16-bit length, then 2.0; it is
    /// padded exactly as `numpy.save` pads it, so the bytes match NumPy's. Throws
    /// ``NPYError/unrepresentableValue(dtype:value:index:)`` when a value is not exactly
    /// representable in an integer dtype (fractional, out of range, NaN) or is not 0 or 1 for
    /// `bool`; floating dtypes round to nearest (float16 and float32 overflow to infinity).
    public static func encode(_ array: NPYArray) throws -> Data {
        guard let n = NPYArray.elementCount(of: array.shape), n == array.values.count else {
            throw NPYError.shapeMismatch(shape: array.shape, count: array.values.count)
        }
        var bytes = NPYHeader.encode(descr: array.dtype.descr, fortranOrder: false, shape: array.shape)
        bytes.reserveCapacity(bytes.count + n * array.dtype.itemSize)
        try appendValues(array.values, as: array.dtype, to: &bytes)
        return Data(bytes)
    }

    /// Writes `array` to `url` atomically (a temporary file, then a rename).
    public static func write(_ array: NPYArray, to url: URL) throws {
        try AtomicFile.write(try encode(array), to: url)
    }

    // MARK: - Decoding

    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    private static func decode(_ raw: UnsafeRawBufferPointer, source: String) throws -> NPYArray {
        let size = raw.count
        let prefix = min(size, magic.count)
        guard raw.prefix(prefix).elementsEqual(magic.prefix(prefix)) else {
            throw NPYError.badMagic(source: source)
        }
        guard size >= 8 else { throw NPYError.truncated(source: source, expectedBytes: 10, actualBytes: size) }
        let major = Int(raw[6]), minor = Int(raw[7])
        guard (1...3).contains(major), minor == 0 else {
            throw NPYError.unsupportedVersion(source: source, major: major, minor: minor)
        }
        let lengthBytes = major == 1 ? 2 : 4
        guard size >= 8 + lengthBytes else {
            throw NPYError.truncated(source: source, expectedBytes: 8 + lengthBytes, actualBytes: size)
        }
        let headerLength = major == 1
            ? Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)))
            : Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
        let dataOffset = 8 + lengthBytes + headerLength
        guard size >= dataOffset else {
            throw NPYError.truncated(source: source, expectedBytes: dataOffset, actualBytes: size)
        }
        let header = try NPYHeader.parse(
            Array(raw[(8 + lengthBytes)..<dataOffset]), utf8: major == 3, source: source)

        guard let count = NPYArray.elementCount(of: header.shape) else {
            throw NPYError.malformedHeader(source: source, detail: "shape \(header.shape) is too large")
        }
        let (dataBytes, overflow) = count.multipliedReportingOverflow(by: header.dtype.itemSize)
        guard !overflow, dataOffset <= Int.max - dataBytes else {
            throw NPYError.malformedHeader(source: source, detail: "shape \(header.shape) is too large")
        }
        guard size >= dataOffset + dataBytes else {
            throw NPYError.truncated(source: source, expectedBytes: dataOffset + dataBytes, actualBytes: size)
        }
        var values = readValues(
            UnsafeRawBufferPointer(rebasing: raw[dataOffset..<(dataOffset + dataBytes)]),
            count: count, dtype: header.dtype, bigEndian: header.bigEndian)
        if header.fortranOrder && header.shape.count > 1 && count > 0 {
            values = fortranToC(values, shape: header.shape)
        }
        return NPYArray(unchecked: header.shape, values: values, dtype: header.dtype)
    }

    private static func readValues(
        _ raw: UnsafeRawBufferPointer, count: Int, dtype: NPYDType, bigEndian: Bool
    ) -> [Double] {
        @inline(__always) func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
            let v = raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
            return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
        }
        return [Double](unsafeUninitializedCapacity: count) { out, initialized in
            switch dtype {
            case .float16: for i in 0..<count { out[i] = Half.toDouble(load(UInt16.self, i)) }
            case .float32: for i in 0..<count { out[i] = Double(Float(bitPattern: load(UInt32.self, i))) }
            case .float64: for i in 0..<count { out[i] = Double(bitPattern: load(UInt64.self, i)) }
            case .int8: for i in 0..<count { out[i] = Double(load(Int8.self, i)) }
            case .int16: for i in 0..<count { out[i] = Double(load(Int16.self, i)) }
            case .int32: for i in 0..<count { out[i] = Double(load(Int32.self, i)) }
            case .int64: for i in 0..<count { out[i] = Double(load(Int64.self, i)) }
            case .uint8: for i in 0..<count { out[i] = Double(load(UInt8.self, i)) }
            case .uint16: for i in 0..<count { out[i] = Double(load(UInt16.self, i)) }
            case .uint32: for i in 0..<count { out[i] = Double(load(UInt32.self, i)) }
            case .uint64: for i in 0..<count { out[i] = Double(load(UInt64.self, i)) }
            case .bool: for i in 0..<count { out[i] = load(UInt8.self, i) == 0 ? 0 : 1 }
            }
            initialized = count
        }
    }

    /// Reorders values stored in Fortran (column-major) order into C (row-major) order.
    static func fortranToC(_ values: [Double], shape: [Int]) -> [Double] {
        let ndim = shape.count
        var fStrides = [Int](repeating: 1, count: ndim)
        for k in 1..<ndim { fStrides[k] = fStrides[k - 1] * shape[k - 1] }
        var index = [Int](repeating: 0, count: ndim)
        var source = 0
        var out = [Double]()
        out.reserveCapacity(values.count)
        for _ in 0..<values.count {
            out.append(values[source])
            // Advance the C-order multi-index (last axis fastest), tracking the Fortran offset.
            var k = ndim - 1
            while k >= 0 {
                index[k] += 1
                source += fStrides[k]
                if index[k] < shape[k] { break }
                source -= fStrides[k] * shape[k]
                index[k] = 0
                k -= 1
            }
        }
        return out
    }

    // MARK: - Encoding

    private static func appendValues(_ values: [Double], as dtype: NPYDType, to bytes: inout [UInt8]) throws {
        @inline(__always) func put<T: FixedWidthInteger>(_ v: T) {
            withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
        }
        func exact<T: FixedWidthInteger>(_: T.Type, _ v: Double, _ i: Int) throws -> T {
            guard let x = T(exactly: v) else {
                throw NPYError.unrepresentableValue(dtype: dtype, value: v, index: i)
            }
            return x
        }
        switch dtype {
        case .float16: for v in values { put(Half.fromDouble(v)) }
        case .float32: for v in values { put(Float(v).bitPattern) }
        case .float64: for v in values { put(v.bitPattern) }
        case .int8: for (i, v) in values.enumerated() { put(try exact(Int8.self, v, i)) }
        case .int16: for (i, v) in values.enumerated() { put(try exact(Int16.self, v, i)) }
        case .int32: for (i, v) in values.enumerated() { put(try exact(Int32.self, v, i)) }
        case .int64: for (i, v) in values.enumerated() { put(try exact(Int64.self, v, i)) }
        case .uint8: for (i, v) in values.enumerated() { put(try exact(UInt8.self, v, i)) }
        case .uint16: for (i, v) in values.enumerated() { put(try exact(UInt16.self, v, i)) }
        case .uint32: for (i, v) in values.enumerated() { put(try exact(UInt32.self, v, i)) }
        case .uint64: for (i, v) in values.enumerated() { put(try exact(UInt64.self, v, i)) }
        case .bool:
            for (i, v) in values.enumerated() {
                guard v == 0 || v == 1 else {
                    throw NPYError.unrepresentableValue(dtype: dtype, value: v, index: i)
                }
                bytes.append(v == 0 ? 0 : 1)
            }
        }
    }
}

/// Converts between IEEE 754 half precision bit patterns and `Double`, without `Float16`.
///
/// `Float16` is unavailable on Intel Macs, so the conversion is done on bits.
enum Half {
    /// Returns the exact `Double` value of the half-precision bit pattern `h`.
    static func toDouble(_ h: UInt16) -> Double {
        let sign: Double = (h & 0x8000) != 0 ? -1 : 1
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = Double(h & 0x3FF)
        switch exponent {
        case 0: return sign * mantissa * 0x1p-24
        case 31: return mantissa == 0 ? sign * .infinity : .nan
        default: return sign * (1024 + mantissa) * Double(sign: .plus, exponent: exponent - 25, significand: 1)
        }
    }

    /// Returns the half-precision bit pattern nearest to `d` (ties to even; overflow to infinity).
    static func fromDouble(_ d: Double) -> UInt16 {
        let bits = d.bitPattern
        let sign = UInt16((bits >> 48) & 0x8000)
        let exponent = Int((bits >> 52) & 0x7FF)
        let fraction = bits & ((1 << 52) - 1)
        if exponent == 0x7FF { return sign | (fraction == 0 ? 0x7C00 : 0x7E00) }
        if exponent == 0 { return sign }  // Double subnormals are far below half's smallest value.
        let e = exponent - 1023
        if e > 15 { return sign | 0x7C00 }
        let m = fraction | (1 << 52)
        let shift = e >= -14 ? 42 : 42 + (-14 - e)
        if shift >= 55 { return sign }  // Less than half of the smallest half subnormal.
        var rounded = m >> UInt64(shift)
        let remainder = m & ((1 << UInt64(shift)) - 1)
        let halfway = UInt64(1) << UInt64(shift - 1)
        if remainder > halfway || (remainder == halfway && rounded & 1 == 1) { rounded += 1 }
        // For normals the implicit bit (bit 10 of `rounded`) adds one to the exponent field,
        // and a rounding carry moves into the exponent on its own.
        let magnitude = e >= -14 ? UInt64(e + 14) << 10 + rounded : rounded
        return sign | (magnitude >= 0x7C00 ? 0x7C00 : UInt16(magnitude))
    }
}
