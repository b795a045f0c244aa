import Foundation
import Support

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// mapping names to `{dtype, shape, data_offsets}`, then the raw little-endian tensor bytes.
///
/// Writes F32 only; reads F32, F64, I64 and I32, converted to Float32 (integers such as token ids
/// are exact up to 2²⁴).
public enum SafeTensors {
    /// Serialises `tensors` (sorted by name) with optional string metadata.
    public static func encode(_ tensors: [String: Tensor], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
            offset += 4 * t.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out.append(contentsOf: $0) }
        out.append(json)
        for name in names {
            let t = tensors[name]!
            out.append(Data(bytes: t.ptr, count: 4 * t.count))  // Float32 is little-endian on supported hosts
        }
        return out
    }

    /// Writes `tensors` to `url` atomically.
    public static func write(_ tensors: [String: Tensor], to url: URL, metadata: [String: String] = [:]) throws {
        try AtomicFile.write(encode(tensors, metadata: metadata), to: url)
    }

    /// Parses safetensors bytes; returns the tensors and the metadata.
    public static func decode(_ data: Data) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw EngineError.badFormat("safetensors file shorter than its 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else { throw EngineError.badFormat("safetensors header length \(n) exceeds file size") }
        let start = 8 + Int(n)
        guard let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<start])) as? [String: Any] else {
            throw EngineError.badFormat("safetensors header is not a JSON object")
        }
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" { metadata = value as? [String: String] ?? [:]; continue }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = (info["shape"] as? [NSNumber])?.map(\.intValue),
                  let offs = (info["data_offsets"] as? [NSNumber])?.map(\.intValue), offs.count == 2 else {
                throw EngineError.badFormat("safetensors entry '\(name)' lacks dtype, shape or data_offsets")
            }
            let count = shape.reduce(1, *)
            let width: Int
            switch dtype {
            case "F32", "I32": width = 4
            case "F64", "I64": width = 8
            default: throw EngineError.badFormat("tensor '\(name)' has unsupported dtype \(dtype)")
            }
            guard offs[1] - offs[0] == count * width, start + offs[1] <= bytes.count, offs[0] >= 0 else {
                throw EngineError.badFormat("tensor '\(name)': offsets \(offs) do not fit shape \(shape) × \(dtype)")
            }
            let t = Tensor.empty(shape)
            bytes.withUnsafeBytes { raw in
                let base = raw.baseAddress! + start + offs[0]
                for i in 0..<count {
                    switch dtype {
                    case "F32": t.ptr[i] = Float(bitPattern: UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                    case "I32": t.ptr[i] = Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
                    case "F64": t.ptr[i] = Float(Double(bitPattern: UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
                    default: t.ptr[i] = Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
                    }
                }
            }
            tensors[name] = t
        }
        return (tensors, metadata)
    }

    /// Reads a safetensors file.
    public static func read(_ url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        try decode(Data(contentsOf: url))
    }
}

extension Module {
    /// Saves the parameters to a safetensors file.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(Dictionary(uniqueKeysWithValues: namedParameters()), to: url, metadata: metadata)
    }

    /// Loads parameters from a safetensors file (names and shapes must match).
    public func load(from url: URL) throws { try load(SafeTensors.read(url).tensors) }
}
