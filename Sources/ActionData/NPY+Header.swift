import Foundation

/// The parsed header of a `.npy` file: dtype, byte order, memory order and shape.
struct NPYHeader: Equatable {
    var dtype: NPYDType
    var bigEndian: Bool
    var fortranOrder: Bool
    var shape: [Int]

    // MARK: - Writing

    /// Returns the magic string, version, length and header dict exactly as `numpy.save` writes them.
    ///
    /// NumPy sorts the keys, ends the dict with `, }`, adds spare spaces so the first axis can grow
    /// to 21 digits in place, and pads with spaces and a newline to a multiple of 64 bytes.
    static func encode(descr: String, fortranOrder: Bool, shape: [Int]) -> [UInt8] {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        if let growing = fortranOrder ? shape.last : shape.first {
            dict += String(repeating: " ", count: max(0, 21 - String(growing).count))
        }
        let text = Array(dict.utf8)
        var major: UInt8 = 1
        var lengthBytes = 2
        var total = 0
        for (v, n) in [(UInt8(1), 2), (UInt8(2), 4)] {
            major = v
            lengthBytes = n
            let unpadded = 8 + n + text.count + 1
            total = text.count + 1 + (64 - unpadded % 64)
            if v == 2 || total <= Int(UInt16.max) { break }
        }
        var out: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, major, 0]
        if lengthBytes == 2 {
            withUnsafeBytes(of: UInt16(total).littleEndian) { out.append(contentsOf: $0) }
        } else {
            withUnsafeBytes(of: UInt32(total).littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: text)
        out.append(contentsOf: [UInt8](repeating: 0x20, count: total - text.count - 1))
        out.append(0x0A)
        return out
    }

    // MARK: - Reading

    /// Parses the header dict `bytes` (Latin-1 for versions 1 and 2, UTF-8 for version 3).
    static func parse(_ bytes: [UInt8], utf8: Bool, source: String) throws -> NPYHeader {
        var parser = PyLiteralParser(bytes: bytes, utf8: utf8, source: source)
        let value = try parser.parseTopLevel()
        guard case .dict(let entries) = value else {
            throw NPYError.malformedHeader(source: source, detail: "the header is not a dict")
        }
        var fields: [String: PyLiteral] = [:]
        for (key, v) in entries {
            guard case .string(let name) = key else {
                throw NPYError.malformedHeader(source: source, detail: "a key of the header dict is not a string")
            }
            fields[name] = v
        }
        let expected: Set<String> = ["descr", "fortran_order", "shape"]
        let missing = expected.subtracting(fields.keys).sorted()
        guard missing.isEmpty else {
            throw NPYError.malformedHeader(source: source, detail: "missing key(s) \(missing.joined(separator: ", "))")
        }
        let extra = Set(fields.keys).subtracting(expected).sorted()
        guard extra.isEmpty else {
            throw NPYError.malformedHeader(source: source, detail: "unexpected key(s) \(extra.joined(separator: ", "))")
        }

        guard case .bool(let fortranOrder) = fields["fortran_order"]! else {
            throw NPYError.malformedHeader(source: source, detail: "'fortran_order' is not True or False")
        }
        guard case .tuple(let dims) = fields["shape"]! else {
            throw NPYError.malformedHeader(source: source, detail: "'shape' is not a tuple")
        }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let n) = d, n >= 0 else {
                throw NPYError.malformedHeader(source: source, detail: "'shape' holds something other than non-negative integers")
            }
            shape.append(n)
        }
        let (dtype, bigEndian) = try parseDescr(fields["descr"]!, source: source)
        return NPYHeader(dtype: dtype, bigEndian: bigEndian, fortranOrder: fortranOrder, shape: shape)
    }

    /// Maps a `descr` value such as `'<f8'`, `'>i4'` or `'|b1'` to a dtype and byte order.
    private static func parseDescr(_ value: PyLiteral, source: String) throws -> (NPYDType, Bool) {
        guard case .string(let descr) = value else {
            // A list or tuple descr is a structured (record) dtype.
            throw NPYError.unsupportedDType(source: source, descr: "\(value.pythonText) (structured dtype)")
        }
        var code = Substring(descr)
        var bigEndian = false
        if let first = code.first, "<>|=".contains(first) {
            bigEndian = first == ">" || (first == "=" && 1.bigEndian == 1)
            code = code.dropFirst()
        }
        if code == "O" || code.hasPrefix("O") {
            throw NPYError.objectArray(source: source)
        }
        if code == "?" { code = "b1" }
        guard let dtype = NPYDType(rawValue: String(code)) else {
            throw NPYError.unsupportedDType(source: source, descr: "'\(descr)'")
        }
        // Single-byte types have no byte order; a '>' on them is harmless.
        return (dtype, dtype.itemSize > 1 && bigEndian)
    }
}

/// A Python literal as it appears in a `.npy` header.
indirect enum PyLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PyLiteral])
    case list([PyLiteral])
    case dict([(PyLiteral, PyLiteral)])

    static func == (a: PyLiteral, b: PyLiteral) -> Bool { a.pythonText == b.pythonText }

    /// The literal written back as Python source, for error messages.
    var pythonText: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .int(let n): return String(n)
        case .bool(let b): return b ? "True" : "False"
        case .none: return "None"
        case .tuple(let items):
            return items.count == 1 ? "(\(items[0].pythonText),)" : "(" + items.map(\.pythonText).joined(separator: ", ") + ")"
        case .list(let items): return "[" + items.map(\.pythonText).joined(separator: ", ") + "]"
        case .dict(let entries):
            return "{" + entries.map { "\($0.0.pythonText): \($0.1.pythonText)" }.joined(separator: ", ") + "}"
        }
    }
}

/// A parser for the small subset of Python literals `.npy` headers use.
///
/// Handles dicts, tuples, lists, strings (single or double quotes, simple escapes), integers
/// (with an optional Python 2 `L` suffix), `True`, `False` and `None`.
struct PyLiteralParser {
    let bytes: [UInt8]
    let utf8: Bool
    let source: String
    var position = 0
    var depth = 0

    init(bytes: [UInt8], utf8: Bool, source: String) {
        self.bytes = bytes
        self.utf8 = utf8
        self.source = source
    }

    /// Parses one literal that must be followed only by whitespace.
    mutating func parseTopLevel() throws -> PyLiteral {
        let value = try parseValue()
        skipSpace()
        guard position == bytes.count else { throw fail("unexpected text after the dict") }
        return value
    }

    private func fail(_ detail: String) -> NPYError {
        .malformedHeader(source: source, detail: "\(detail) (at byte \(position) of the header)")
    }

    private mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[position]) { position += 1 }
    }

    private mutating func parseValue() throws -> PyLiteral {
        skipSpace()
        guard position < bytes.count else { throw fail("the header ends too early") }
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw fail("the header nests too deeply") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            position += 1
            var entries: [(PyLiteral, PyLiteral)] = []
            try parseItems(closing: UInt8(ascii: "}")) { p in
                let key = try p.parseValue()
                p.skipSpace()
                guard p.position < p.bytes.count, p.bytes[p.position] == UInt8(ascii: ":") else {
                    throw p.fail("expected ':' after a dict key")
                }
                p.position += 1
                let value = try p.parseValue()
                entries.append((key, value))
                return false
            }
            return .dict(entries)
        case UInt8(ascii: "("):
            position += 1
            var items: [PyLiteral] = []
            var sawComma = false
            try parseItems(closing: UInt8(ascii: ")")) { p in
                let value = try p.parseValue()
                items.append(value)
                return true
            } onComma: { sawComma = true }
            // `(x)` without a comma is a parenthesized value, not a tuple.
            if items.count == 1 && !sawComma { return items[0] }
            return .tuple(items)
        case UInt8(ascii: "["):
            position += 1
            var items: [PyLiteral] = []
            try parseItems(closing: UInt8(ascii: "]")) { p in
                let value = try p.parseValue()
                items.append(value)
                return true
            }
            return .list(items)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .int(try parseInt())
        default:
            let start = position
            while position < bytes.count, isIdentifierByte(bytes[position]) { position += 1 }
            let word = String(decoding: bytes[start..<position], as: UTF8.self)
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default:
                position = start
                throw fail(word.isEmpty ? "unexpected character" : "unknown name '\(word)'")
            }
        }
    }

    /// Parses comma-separated items up to `closing`, allowing a trailing comma.
    private mutating func parseItems(
        closing: UInt8, item: (inout PyLiteralParser) throws -> Bool, onComma: () -> Void = {}
    ) throws {
        while true {
            skipSpace()
            guard position < bytes.count else { throw fail("the header ends before a closing bracket") }
            if bytes[position] == closing { position += 1; return }
            _ = try item(&self)
            skipSpace()
            guard position < bytes.count else { throw fail("the header ends before a closing bracket") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                onComma()
            } else if bytes[position] != closing {
                throw fail("expected ',' or a closing bracket")
            }
        }
    }

    private func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) || b == 0x5F
    }

    private mutating func parseString() throws -> String {
        let quote = bytes[position]
        position += 1
        var content: [UInt8] = []
        while true {
            guard position < bytes.count else { throw fail("unterminated string") }
            let b = bytes[position]
            position += 1
            if b == quote { break }
            if b == 0x0A { throw fail("unterminated string") }
            if b == UInt8(ascii: "\\") {
                guard position < bytes.count else { throw fail("unterminated string") }
                let e = bytes[position]
                position += 1
                switch e {
                case UInt8(ascii: "n"): content.append(0x0A)
                case UInt8(ascii: "t"): content.append(0x09)
                case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): content.append(e)
                default: content.append(contentsOf: [UInt8(ascii: "\\"), e])
                }
            } else {
                content.append(b)
            }
        }
        if utf8 {
            guard let s = String(bytes: content, encoding: .utf8) else { throw fail("a string is not valid UTF-8") }
            return s
        }
        return String(content.map { Character(Unicode.Scalar($0)) })  // Latin-1
    }

    private mutating func parseInt() throws -> Int {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") || bytes[position] == UInt8(ascii: "+") {
            negative = bytes[position] == UInt8(ascii: "-")
            position += 1
        }
        var value = 0
        var digits = 0
        while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(bytes[position] - 0x30))
            guard !o1, !o2 else { position = start; throw fail("an integer is too large") }
            value = a
            digits += 1
            position += 1
        }
        guard digits > 0 else { position = start; throw fail("expected a number") }
        if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") || isIdentifierByte(bytes[position]) {
            position = start
            throw fail("expected an integer")
        }
        return negative ? -value : value
    }
}
