import Foundation

extension ParameterValue {
    /// Parses JSON text into a parameter tree, keeping object keys in file order.
    ///
    /// Numbers go through Swift's correctly rounded `Double(_:)`/`Int(_:)`, so values written by
    /// ``prettyJSON(indent:)`` read back bit for bit (Foundation's parser on Linux can be off by
    /// one unit in the last place). `null` reads as NaN, the value the writers use it for.
    public static func parseJSON(_ data: Data, source: String) throws -> ParameterValue {
        var p = _JSONParser(bytes: Array(data), source: source)
        p.skipSpace()
        let v = try p.value()
        p.skipSpace()
        guard p.i == p.bytes.count else { throw p.fail("unexpected text after the JSON value") }
        return v
    }
}

/// Internal: a strict recursive-descent JSON parser over UTF-8 bytes.
struct _JSONParser {
    let bytes: [UInt8]
    let source: String
    var i = 0

    init(bytes: [UInt8], source: String) { self.bytes = bytes; self.source = source }

    func fail(_ message: String) -> ConfigError {
        let line = bytes[..<min(i, bytes.count)].filter { $0 == 0x0A }.count + 1
        return ConfigError(location: source, key: "", problem: "not valid JSON at line \(line): \(message)")
    }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
    }

    mutating func expect(_ literal: String) throws {
        for b in literal.utf8 {
            guard i < bytes.count, bytes[i] == b else { throw fail("expected \(literal)") }
            i += 1
        }
    }

    mutating func value() throws -> ParameterValue {
        guard i < bytes.count else { throw fail("unexpected end of text") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1; skipSpace()
            var entries: [(key: String, value: ParameterValue)] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .table(entries) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                let key = try string()
                skipSpace(); try expect(":"); skipSpace()
                entries.append((key, try value()))
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("}")
                return .table(entries)
            }
        case UInt8(ascii: "["):
            i += 1; skipSpace()
            var items: [ParameterValue] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value())
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                try expect("]")
                return .array(items)
            }
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .double(.nan)
        default: return try number()
        }
    }

    mutating func number() throws -> ParameterValue {
        let start = i
        var isInteger = true
        while i < bytes.count, let c = Optional(bytes[i]),
              (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { isInteger = false }
            i += 1
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        if isInteger, let n = Int(text) { return .int(n) }
        guard !text.isEmpty, let d = Double(text) else { throw fail("expected a value, found \"\(text.isEmpty ? String(UnicodeScalar(bytes[start])) : text)\"") }
        return .double(d)
    }

    mutating func string() throws -> String {
        i += 1   // opening quote
        var out = [UInt8]()
        while i < bytes.count {
            let c = bytes[i]; i += 1
            switch c {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { throw fail("unterminated escape") }
                let e = bytes[i]; i += 1
                switch e {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let code = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else { throw fail("bad \\u escape") }
                    i += 4
                    var scalarValue = code
                    if (0xD800..<0xDC00).contains(code), i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u"),
                       let low = UInt32(String(decoding: bytes[i + 2..<i + 6], as: UTF8.self), radix: 16), (0xDC00..<0xE000).contains(low) {
                        scalarValue = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    }
                    guard let scalar = Unicode.Scalar(scalarValue) else { throw fail("bad \\u escape") }
                    out.append(contentsOf: Array(String(scalar).utf8))
                default: out.append(e)
                }
            default: out.append(c)
            }
        }
        throw fail("unterminated string")
    }
}
