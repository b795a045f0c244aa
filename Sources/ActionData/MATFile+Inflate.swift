import Foundation
import ZIPFoundation

/// zlib decompression for the `miCOMPRESSED` elements of MAT-files, on top of ZIPFoundation.
///
/// A compressed element holds a zlib stream (RFC 1950): a 2-byte header, raw deflate data and an
/// Adler-32 checksum of the decompressed bytes. ZIPFoundation's public
/// `Data.decompress(size:bufferSize:skipCRC32:provider:consumer:)` inflates raw deflate data
/// (zlib's `inflate` on Linux, the Compression framework on Apple platforms); this file checks the
/// header, feeds it the deflate part and verifies the checksum.
enum MATInflate {
    /// Why a zlib stream could not be decompressed; turned into ``MATError/badCompressedData``.
    struct Failure: Error { let detail: String }

    /// Decompressed output larger than this is refused (a guard against decompression bombs).
    static let maximumOutput = 1 << 30

    /// Thrown by the provider when the decompressor asks for input past the end of the stream.
    private struct InputExhausted: Error {}
    /// Thrown by the consumer when the output exceeds ``maximumOutput``.
    private struct OutputTooLarge: Error {}

    /// Decompresses the zlib stream `stream` and checks its Adler-32 checksum.
    static func decompress(_ stream: ArraySlice<UInt8>) throws -> [UInt8] {
        let bytes = Array(stream)
        guard bytes.count >= 6 else {
            throw Failure(detail: "\(bytes.count) bytes is too short for a zlib stream (at least 6)")
        }
        let cmf = bytes[0], flg = bytes[1]
        guard cmf & 0x0F == 8, cmf >> 4 <= 7, (UInt16(cmf) << 8 | UInt16(flg)) % 31 == 0 else {
            throw Failure(detail: String(format: "not a zlib stream (header bytes 0x%02x 0x%02x)", cmf, flg))
        }
        guard flg & 0x20 == 0 else { throw Failure(detail: "the zlib stream needs a preset dictionary") }

        let deflate = Array(bytes[2...])
        // One input chunk larger than the whole stream: the decompressor is then never asked for a
        // chunk of exactly the remaining size, a case some back ends loop on.
        let bufferSize = max(deflate.count + 1, 1 << 14)
        var output: [UInt8] = []
        do {
            _ = try Data.decompress(
                size: Int64(deflate.count), bufferSize: bufferSize, skipCRC32: true,
                provider: { position, size in
                    let start = Int(position)
                    guard start < deflate.count else { throw InputExhausted() }
                    let end = min(deflate.count, start + size)
                    var chunk = Data(deflate[start..<end])
                    // zlib's back end announces `size` bytes of input whatever the chunk holds: pad
                    // with zeros (never valid deflate data past a stream's end) so it reads no further.
                    if chunk.count < size { chunk.append(Data(count: size - chunk.count)) }
                    return chunk
                },
                consumer: { data in
                    guard output.count + data.count <= maximumOutput else { throw OutputTooLarge() }
                    output.append(contentsOf: data)
                })
        } catch is InputExhausted {
            throw Failure(detail: "the deflate stream ends before its final block")
        } catch is OutputTooLarge {
            throw Failure(detail: "the element decompresses to more than \(maximumOutput) bytes")
        } catch {
            throw Failure(detail: "the deflate stream is corrupt (\(error))")
        }
        let stored = bytes.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let actual = adler32(output)
        guard stored == actual else {
            throw Failure(detail: String(
                format: "Adler-32 checksum 0x%08x of the decompressed data differs from the stored 0x%08x", actual, stored))
        }
        return output
    }

    /// The Adler-32 checksum of `bytes` (RFC 1950).
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < bytes.count {
            // 5552 is the largest run for which the sums cannot overflow 32 bits.
            let end = min(bytes.count, index + 5552)
            while index < end {
                a &+= UInt32(bytes[index])
                b &+= a
                index += 1
            }
            a %= 65521
            b %= 65521
        }
        return b << 16 | a
    }
}
