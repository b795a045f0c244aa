import Foundation

/// Parses the data elements of a MAT-file held in memory: tags, numbers and `miMATRIX` arrays.
///
/// One reader covers the file itself or the bytes decompressed from one compressed element
/// (`origin` is then that element's offset in the file, used in error messages).
struct MATElementReader {
    let bytes: [UInt8]
    let bigEndian: Bool
    let source: String
    let origin: Int?

    // MARK: - Locations and errors

    /// Describes byte `offset` of these bytes for an error message.
    func location(_ offset: Int) -> String {
        guard let origin else { return "byte \(offset)" }
        return "byte \(offset) of the data decompressed from the element at byte \(origin)"
    }

    func malformed(at offset: Int, _ detail: String) -> MATError {
        .malformed(source: source, location: location(offset), detail: detail)
    }

    func truncated(at offset: Int, _ detail: String) -> MATError {
        .truncated(source: source, location: location(offset), detail: detail)
    }

    // MARK: - Primitive reads

    func u16(_ at: Int) -> UInt16 {
        let a = UInt16(bytes[at]), b = UInt16(bytes[at + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    func u32(_ at: Int) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 { v |= UInt32(bytes[at + k]) << (bigEndian ? 8 * (3 - k) : 8 * k) }
        return v
    }

    func u64(_ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[at + k]) << (bigEndian ? 8 * (7 - k) : 8 * k) }
        return v
    }

    /// Reads the tag of the element at `offset`, which must end by `end`.
    func tag(at offset: Int, end: Int) throws -> MATTag {
        guard end - offset >= 8 else {
            throw truncated(at: offset, "an element tag needs 8 bytes, \(max(0, end - offset)) remain")
        }
        let word = u32(offset)
        if word >> 16 != 0 {
            // Small data element: size in the upper 16 bits, type in the lower, data in the next 4 bytes.
            let size = Int(word >> 16)
            guard size <= 4 else { throw malformed(at: offset, "a small data element announces \(size) bytes (at most 4)") }
            return MATTag(type: word & 0xFFFF, dataStart: offset + 4, dataEnd: offset + 4 + size, next: offset + 8, offset: offset)
        }
        let size = Int(u32(offset + 4))
        let start = offset + 8
        guard size <= end - start else {
            throw truncated(at: offset, "an element of type \(word) announces \(size) bytes, only \(end - start) remain")
        }
        // Compressed elements are not padded; all others are padded to a multiple of 8 bytes.
        let padded = word == MATDataType.compressed ? size : (size + 7) & ~7
        return MATTag(type: word, dataStart: start, dataEnd: start + size, next: min(end, start + padded), offset: offset)
    }

    /// Decodes the data of a numeric element as `Double`s.
    func numbers(_ tag: MATTag) throws -> [Double] {
        guard let item = MATDataType.itemSize(tag.type) else {
            throw malformed(at: tag.offset, "data type \(tag.type) is not numeric")
        }
        guard tag.size % item == 0 else {
            throw malformed(at: tag.offset, "\(tag.size) bytes is not a whole number of \(item)-byte values")
        }
        let count = tag.size / item
        var out = [Double](repeating: 0, count: count)
        let s = tag.dataStart
        switch tag.type {
        case MATDataType.int8: for i in 0..<count { out[i] = Double(Int8(bitPattern: bytes[s + i])) }
        case MATDataType.uint8: for i in 0..<count { out[i] = Double(bytes[s + i]) }
        case MATDataType.int16: for i in 0..<count { out[i] = Double(Int16(bitPattern: u16(s + 2 * i))) }
        case MATDataType.uint16: for i in 0..<count { out[i] = Double(u16(s + 2 * i)) }
        case MATDataType.int32: for i in 0..<count { out[i] = Double(Int32(bitPattern: u32(s + 4 * i))) }
        case MATDataType.uint32: for i in 0..<count { out[i] = Double(u32(s + 4 * i)) }
        case MATDataType.single: for i in 0..<count { out[i] = Double(Float(bitPattern: u32(s + 4 * i))) }
        case MATDataType.double: for i in 0..<count { out[i] = Double(bitPattern: u64(s + 8 * i)) }
        case MATDataType.int64: for i in 0..<count { out[i] = Double(Int64(bitPattern: u64(s + 8 * i))) }
        default: for i in 0..<count { out[i] = Double(u64(s + 8 * i)) }  // uint64
        }
        return out
    }

    /// Reads the next sub-element of a matrix starting at `position`, checking its type.
    private func subelement(at position: inout Int, end: Int, expect types: [UInt32], what: String) throws -> MATTag {
        guard position < end else { throw truncated(at: position, "the matrix ends before its \(what)") }
        let t = try tag(at: position, end: end)
        guard types.contains(t.type) else {
            throw malformed(at: position, "the \(what) has data type \(t.type), expected \(types.map(String.init).joined(separator: " or "))")
        }
        position = t.next
        return t
    }

    // MARK: - Arrays

    /// Cells and structs nested deeper than this are refused (a guard against stack exhaustion).
    static let maximumDepth = 64

    /// Parses the `miMATRIX` element `tag`; `path` names the enclosing variable (nil at top level)
    /// and `depth` counts the enclosing cells and structs.
    func matrix(_ tag: MATTag, path: String?, depth: Int = 0) throws -> (name: String, value: MATValue) {
        guard depth <= MATElementReader.maximumDepth else {
            throw malformed(at: tag.offset, "cells and structs are nested more than \(MATElementReader.maximumDepth) deep")
        }
        let end = tag.dataEnd
        // An empty miMATRIX (0 bytes) stands for an empty 0x0 double array inside cells and structs.
        if tag.size == 0 { return ("", .numeric(shape: [0, 0], values: [], type: .double)) }
        var position = tag.dataStart
        let flagsTag = try subelement(at: &position, end: end, expect: [MATDataType.uint32], what: "array flags")
        guard flagsTag.size == 8 else { throw malformed(at: flagsTag.offset, "the array flags have \(flagsTag.size) bytes, not 8") }
        let flags = u32(flagsTag.dataStart)
        let classCode = flags & 0xFF
        let complex = flags & 0x0800 != 0, logical = flags & 0x0200 != 0

        let dimsTag = try subelement(at: &position, end: end, expect: [MATDataType.int32], what: "dimensions")
        guard dimsTag.size % 4 == 0, dimsTag.size >= 8 else {
            throw malformed(at: dimsTag.offset, "the dimensions have \(dimsTag.size) bytes (a multiple of 4, at least 8)")
        }
        let shape = (0..<(dimsTag.size / 4)).map { Int(Int32(bitPattern: u32(dimsTag.dataStart + 4 * $0))) }
        var count = 1
        for d in shape {
            let (p, overflow) = count.multipliedReportingOverflow(by: max(d, 0))
            guard d >= 0, !overflow, p <= bytes.count * 8 + 8 else {
                throw malformed(at: dimsTag.offset, "invalid dimensions \(shape)")
            }
            count = p
        }
        let nameTag = try subelement(at: &position, end: end, expect: [MATDataType.int8, MATDataType.uint8], what: "array name")
        let name = String(decoding: bytes[nameTag.dataStart..<nameTag.dataEnd], as: UTF8.self)
        let here = path ?? name

        switch classCode {
        case 1:  // mxCELL_CLASS
            var elements: [MATValue] = []
            elements.reserveCapacity(count)
            for i in 0..<count {
                let t = try subelement(at: &position, end: end, expect: [MATDataType.matrix], what: "cell element \(i)")
                elements.append(try matrix(t, path: "\(here){\(i + 1)}", depth: depth + 1).value)
            }
            return (name, .cell(shape: shape, elements: MATFile.rowMajor(elements, shape: shape)))
        case 2:  // mxSTRUCT_CLASS
            let lengthTag = try subelement(at: &position, end: end, expect: [MATDataType.int32], what: "field name length")
            guard lengthTag.size == 4 else { throw malformed(at: lengthTag.offset, "the field name length has \(lengthTag.size) bytes, not 4") }
            let length = Int(Int32(bitPattern: u32(lengthTag.dataStart)))
            let namesTag = try subelement(at: &position, end: end, expect: [MATDataType.int8, MATDataType.uint8], what: "field names")
            guard length > 0 ? namesTag.size % length == 0 : namesTag.size == 0 else {
                throw malformed(at: namesTag.offset, "\(namesTag.size) bytes of field names is not a multiple of the length \(length)")
            }
            let fields = length == 0 ? [] : (0..<(namesTag.size / length)).map { f -> String in
                let start = namesTag.dataStart + f * length
                let raw = bytes[start..<(start + length)].prefix { $0 != 0 }
                return String(decoding: raw, as: UTF8.self)
            }
            var columnMajor: [[MATValue]] = []
            columnMajor.reserveCapacity(count)
            for i in 0..<count {
                var element: [MATValue] = []
                for field in fields {
                    let t = try subelement(at: &position, end: end, expect: [MATDataType.matrix], what: "field '\(field)'")
                    let fieldPath = count == 1 ? "\(here).\(field)" : "\(here)(\(i + 1)).\(field)"
                    element.append(try matrix(t, path: fieldPath, depth: depth + 1).value)
                }
                columnMajor.append(element)
            }
            return (name, .structArray(shape: shape, fields: fields, elements: MATFile.rowMajor(columnMajor, shape: shape)))
        case 3:
            throw MATError.unsupportedClass(source: source, variable: here, className: "object (mxOBJECT_CLASS)")
        case 4:  // mxCHAR_CLASS
            let dataTag = try subelement(
                at: &position, end: end,
                expect: [MATDataType.utf8, MATDataType.uint16, MATDataType.utf16, MATDataType.utf32, MATDataType.uint8, MATDataType.int8],
                what: "character data")
            return (name, .char(shape: shape, text: try characters(dataTag, shape: shape, count: count)))
        case 5:
            throw MATError.unsupportedFeature(source: source, variable: here, feature: "a sparse array")
        case 6...15:
            if complex { throw MATError.unsupportedFeature(source: source, variable: here, feature: "a complex array") }
            let numericTypes: [UInt32] = [1, 2, 3, 4, 5, 6, 7, 9, 12, 13]
            let realTag = try subelement(at: &position, end: end, expect: numericTypes, what: "real part")
            let values = try numbers(realTag)
            guard values.count == count else {
                throw malformed(at: realTag.offset, "the real part holds \(values.count) values for dimensions \(shape)")
            }
            let types: [MATClass] = [.double, .single, .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64]
            let type = logical ? MATClass.logical : types[Int(classCode) - 6]
            return (name, .numeric(shape: shape, values: MATFile.rowMajor(values, shape: shape), type: type))
        default:
            let names: [UInt32: String] = [16: "function handle (mxFUNCTION_CLASS)", 17: "opaque (mxOPAQUE_CLASS)"]
            throw MATError.unsupportedClass(source: source, variable: here, className: names[classCode] ?? "code \(classCode)")
        }
    }

    /// Decodes character data into rows joined by newlines.
    private func characters(_ tag: MATTag, shape: [Int], count: Int) throws -> String {
        var units: [UInt32] = []
        let data = bytes[tag.dataStart..<tag.dataEnd]
        switch tag.type {
        case MATDataType.utf8:
            units = String(decoding: data, as: UTF8.self).unicodeScalars.map(\.value)
        case MATDataType.uint16, MATDataType.utf16:
            guard tag.size % 2 == 0 else { throw malformed(at: tag.offset, "UTF-16 character data has an odd byte count") }
            units = (0..<(tag.size / 2)).map { UInt32(u16(tag.dataStart + 2 * $0)) }
        case MATDataType.utf32:
            guard tag.size % 4 == 0 else { throw malformed(at: tag.offset, "UTF-32 character data is not a multiple of 4 bytes") }
            units = (0..<(tag.size / 4)).map { u32(tag.dataStart + 4 * $0) }
        default:  // miUINT8 / miINT8: one byte per character (Latin-1)
            units = data.map(UInt32.init)
        }
        guard units.count == count else {
            throw malformed(at: tag.offset, "\(units.count) characters for dimensions \(shape)")
        }
        let ordered = MATFile.rowMajor(units, shape: shape)
        let rowLength = shape.count >= 2 ? shape.dropFirst().reduce(1, *) : count
        let rowCount = rowLength == 0 ? (shape.first ?? 0) : count / rowLength
        var lines: [String] = []
        for r in 0..<rowCount {
            let row = ordered[(r * rowLength)..<((r + 1) * rowLength)]
            var line = String.UnicodeScalarView()
            for u in row { line.append(Unicode.Scalar(u) ?? "\u{FFFD}") }
            lines.append(String(line))
        }
        return lines.joined(separator: "\n")
    }
}
