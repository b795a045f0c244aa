import Foundation
import Support
import ZIPFoundation

/// Reads and writes NumPy `.npz` archives: ZIP files of `.npy` entries.
///
/// Reading accepts archives from `numpy.savez` (stored entries) and `numpy.savez_compressed`
/// (deflated entries). Writing is byte-deterministic: entries keep the given order and carry a
/// fixed modification date (1980-01-01 00:00 UTC) and fixed permissions (0644).
public enum NPZ {
    /// The modification date stamped on every written entry: the earliest a ZIP file can hold.
    static let entryDate = Date(timeIntervalSince1970: 315_532_800)

    /// Reads every array in the `.npz` file at `url`, sorted by name.
    ///
    /// Names are the entry paths without their `.npy` suffix, as `numpy.load` reports them.
    /// Directories and entries whose names do not end in `.npy` are skipped. Errors name the
    /// archive, or `archive.npz:entry.npy` for a bad entry.
    public static func read(contentsOf url: URL) throws -> [(name: String, array: NPYArray)] {
        try decode(try NPY.contents(of: url), source: url.path)
    }

    /// Reads the array called `name` (without `.npy`) from the `.npz` file at `url`.
    ///
    /// Throws ``NPYError/missingNPZEntry(source:name:names:)`` when the archive has no such array.
    public static func array(named name: String, contentsOf url: URL) throws -> NPYArray {
        let source = url.path
        let archive = try openArchive(try NPY.contents(of: url), source: source)
        guard let entry = archive[name + ".npy"], entry.type == .file else {
            let names = archive.filter { $0.type == .file && $0.path.hasSuffix(".npy") }.map { String($0.path.dropLast(4)) }.sorted()
            throw NPYError.missingNPZEntry(source: source, name: name, names: names)
        }
        return try readEntry(entry, of: archive, source: source)
    }

    /// Decodes the bytes of a `.npz` archive; `source` names the data in error messages.
    public static func decode(_ data: Data, source: String = "<data>") throws -> [(name: String, array: NPYArray)] {
        let archive = try openArchive(data, source: source)
        var arrays: [(name: String, array: NPYArray)] = []
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".npy") {
            let name = String(entry.path.dropLast(4))
            arrays.append((name, try readEntry(entry, of: archive, source: source)))
        }
        return arrays.sorted { $0.name < $1.name }
    }

    /// Encodes `arrays` as `.npz` bytes, one `name.npy` entry per array in the given order.
    ///
    /// `compressed` deflates the entries like `numpy.savez_compressed`; otherwise they are stored
    /// like `numpy.savez`. Throws ``NPYError/invalidNPZEntryName(name:detail:)`` for an empty or
    /// repeated name.
    public static func encode(_ arrays: [(name: String, array: NPYArray)], compressed: Bool = false) throws -> Data {
        var seen = Set<String>()
        for (name, _) in arrays {
            guard !name.isEmpty else { throw NPYError.invalidNPZEntryName(name: name, detail: "the name is empty") }
            guard seen.insert(name).inserted else {
                throw NPYError.invalidNPZEntryName(name: name, detail: "the name is used more than once")
            }
        }
        let archive: Archive
        do {
            archive = try Archive(data: Data(), accessMode: .create)
        } catch {
            throw NPYError.notAnNPZ(source: "<new archive>", detail: "cannot create an archive in memory: \(error)")
        }
        for (name, array) in arrays {
            let bytes = try NPY.encode(array)
            do {
                try archive.addEntry(
                    with: name + ".npy", type: .file, uncompressedSize: Int64(bytes.count),
                    modificationDate: entryDate, permissions: 0o644,
                    compressionMethod: compressed ? .deflate : .none
                ) { position, size in
                    let start = Int(position)
                    return bytes.subdata(in: start..<(start + size))
                }
            } catch {
                throw NPYError.notAnNPZ(source: "<new archive>", detail: "cannot add \(name).npy: \(error)")
            }
        }
        guard let data = archive.data else {
            throw NPYError.notAnNPZ(source: "<new archive>", detail: "the in-memory archive has no data")
        }
        return data
    }

    /// Writes `arrays` to `url` as an `.npz` archive, atomically and with deterministic bytes.
    ///
    /// See ``encode(_:compressed:)`` for the layout; the file is written to a temporary file in
    /// the same folder, then renamed.
    public static func write(_ arrays: [(name: String, array: NPYArray)], to url: URL, compressed: Bool = false) throws {
        try AtomicFile.write(try encode(arrays, compressed: compressed), to: url)
    }

    // MARK: - Helpers

    private static func openArchive(_ data: Data, source: String) throws -> Archive {
        // ZIPFoundation reads an empty in-memory archive as valid; an .npz is never empty.
        guard data.count >= 22 else {
            throw NPYError.notAnNPZ(source: source, detail: "\(data.count) bytes is too short for a ZIP archive")
        }
        do {
            return try Archive(data: data, accessMode: .read)
        } catch {
            throw NPYError.notAnNPZ(source: source, detail: "it is not a ZIP archive (\(error))")
        }
    }

    private static func readEntry(_ entry: Entry, of archive: Archive, source: String) throws -> NPYArray {
        let entrySource = "\(source):\(entry.path)"
        var bytes = Data()
        bytes.reserveCapacity(Int(clamping: min(entry.uncompressedSize, 1 << 26)))  // a hint only; never trust it far
        let checksum: CRC32
        do {
            checksum = try archive.extract(entry) { chunk in bytes.append(chunk) }
        } catch {
            throw NPYError.notAnNPZ(source: entrySource, detail: "the entry cannot be extracted (\(error))")
        }
        // ZIPFoundation computes the CRC-32 but leaves the comparison to the caller.
        guard checksum == entry.checksum else {
            throw NPYError.notAnNPZ(
                source: entrySource,
                detail: "the entry is corrupt (CRC-32 \(hex(checksum)) where the archive records \(hex(entry.checksum)))")
        }
        return try NPY.decode(bytes, source: entrySource)
    }

    private static func hex(_ value: CRC32) -> String { "0x" + String(value, radix: 16) }
}
