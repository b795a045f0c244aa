import Foundation

/// A parameter tree as JSON through `Codable`: tables as objects, arrays, strings, numbers, booleans.
///
/// Decoding reads an integer literal as `.int` and any other number as `.double`; a table's keys
/// come back sorted (JSON objects carry no order a decoder reports), so decoding is deterministic.
/// Non-finite doubles are encoded as `null`, like ``canonicalJSON``.
extension ParameterValue: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let table = try? decoder.container(keyedBy: Key.self) {
            self = .table(try table.allKeys.sorted { $0.stringValue < $1.stringValue }.map {
                ($0.stringValue, try table.decode(ParameterValue.self, forKey: $0))
            })
        } else if var array = try? decoder.unkeyedContainer() {
            var items: [ParameterValue] = []
            while !array.isAtEnd { items.append(try array.decode(ParameterValue.self)) }
            self = .array(items)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() { self = .double(.nan) }
            else if let b = try? single.decode(Bool.self) { self = .bool(b) }
            else if let i = try? single.decode(Int.self) { self = .int(i) }
            else if let d = try? single.decode(Double.self) { self = .double(d) }
            else { self = .string(try single.decode(String.self)) }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .table(let entries):
            var c = encoder.container(keyedBy: Key.self)
            for (key, value) in entries { try c.encode(value, forKey: Key(stringValue: key)) }
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .string(let s):
            var c = encoder.singleValueContainer(); try c.encode(s)
        case .int(let i):
            var c = encoder.singleValueContainer(); try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            if d.isFinite { try c.encode(d) } else { try c.encodeNil() }
        case .bool(let b):
            var c = encoder.singleValueContainer(); try c.encode(b)
        }
    }
}
