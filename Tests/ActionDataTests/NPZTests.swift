import Foundation
import XCTest

@testable import ActionData

final class NPZTests: XCTestCase {
    private func sampleArrays() throws -> [(name: String, array: NPYArray)] {
        [
            ("states", try NPYArray(shape: [3, 2], values: [0.5, -1, 2, 3.25, 4, 5], dtype: .float32)),
            ("actions", try NPYArray(shape: [2, 2, 2], values: (0..<8).map { Double($0) / 3 })),
            ("episode_ends", try NPYArray(shape: [2], values: [1, 3], dtype: .int64)),
            ("done", try NPYArray(shape: [2], values: [0, 1], dtype: .bool)),
            ("scale", try NPYArray(shape: [], values: [0.25])),
            ("nothing", try NPYArray(shape: [0, 7], values: [], dtype: .uint16)),
        ]
    }

    func testReadsSavezAndSavezCompressedFixtures() throws {
        let npz = try XCTUnwrap(try expectedFixtures()["npz"] as? [String: [String: Any]])
        XCTAssertEqual(Set(npz.keys), ["savez.npz", "savez_compressed.npz"])
        for (file, entries) in npz {
            let arrays = try NPZ.read(contentsOf: npyFixtures.appendingPathComponent(file))
            XCTAssertEqual(arrays.map(\.name), entries.keys.sorted(), file)
            XCTAssertEqual(arrays.map(\.name), ["actions", "episode_ends", "gain", "success"], file)
            for (name, array) in arrays {
                try ExpectedArray(try XCTUnwrap(entries[name])).check(array, "\(file):\(name)")
            }
        }
    }

    func testRoundTripStoredAndCompressed() throws {
        let folder = try temporaryFolder(self)
        let arrays = try sampleArrays()
        for compressed in [false, true] {
            let url = folder.appendingPathComponent(compressed ? "c.npz" : "s.npz")
            try NPZ.write(arrays, to: url, compressed: compressed)
            let back = try NPZ.read(contentsOf: url)
            XCTAssertEqual(back.map(\.name), arrays.map(\.name).sorted(), "read sorts by name")
            for (name, array) in arrays {
                XCTAssertEqual(back.first { $0.name == name }?.array, array, "\(name) compressed=\(compressed)")
            }
            XCTAssertEqual(try NPZ.array(named: "states", contentsOf: url), arrays[0].array)
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".tmp") }
        XCTAssertEqual(leftovers, [])
    }

    func testWriteIsByteDeterministic() throws {
        let folder = try temporaryFolder(self)
        for compressed in [false, true] {
            let first = folder.appendingPathComponent("first-\(compressed).npz")
            let second = folder.appendingPathComponent("second-\(compressed).npz")
            try NPZ.write(try sampleArrays(), to: first, compressed: compressed)
            try NPZ.write(try sampleArrays(), to: second, compressed: compressed)
            let bytes = try Data(contentsOf: first)
            XCTAssertEqual(bytes, try Data(contentsOf: second), "compressed=\(compressed)")
            // No clock in the bytes: the first local header's DOS time and date are 00:00, 1980-01-01.
            XCTAssertEqual(Array(bytes[0..<4]), [0x50, 0x4B, 0x03, 0x04])
            XCTAssertEqual(Array(bytes[10..<14]), [0x00, 0x00, 0x21, 0x00])
            XCTAssertEqual(try NPZ.encode(try sampleArrays(), compressed: compressed), bytes)
        }
    }

    func testEntriesKeepGivenOrderAndNpySuffix() throws {
        let data = try NPZ.encode(try sampleArrays())
        let text = String(decoding: data, as: UTF8.self)
        var last = text.startIndex
        for (name, _) in try sampleArrays() {
            let range = try XCTUnwrap(text.range(of: name + ".npy", range: last..<text.endIndex), name)
            last = range.upperBound
        }
    }

    func testMissingEntry() throws {
        let url = npyFixtures.appendingPathComponent("savez.npz")
        XCTAssertEqual(try NPZ.array(named: "gain", contentsOf: url), try NPYArray(shape: [], values: [0.5]))
        let names = try NPZ.read(contentsOf: url).map(\.name).sorted()
        assertError(try NPZ.array(named: "rewards", contentsOf: url),
                    .missingNPZEntry(source: url.path, name: "rewards", names: names), mentions: "rewards")
        // The message lists what the archive holds and suggests the closest name.
        XCTAssertThrowsError(try NPZ.array(named: "gian", contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("'gian' (did you mean gain?); it holds: \(names.joined(separator: ", "))"), "\(error)")
        }
    }

    func testBadEntryNamesTheArchiveAndEntry() {
        let url = npyFixtures.appendingPathComponent("bad_entry.npz")
        assertError(try NPZ.read(contentsOf: url), .badMagic(source: url.path + ":bad.npy"),
                    mentions: "bad_entry.npz:bad.npy")
        XCTAssertEqual(try NPZ.array(named: "good", contentsOf: url),
                       try NPYArray(shape: [3], values: [0, 1, 2], dtype: .int16))
    }

    func testNotAnNPZ() throws {
        for name in ["f32_2d.npy", "expected.json"] {
            let url = npyFixtures.appendingPathComponent(name)
            XCTAssertThrowsError(try NPZ.read(contentsOf: url), name) { error in
                guard case .notAnNPZ(let source, _)? = error as? NPYError else { return XCTFail("\(error)") }
                XCTAssertEqual(source, url.path)
                XCTAssertTrue("\(error)".contains(name), "\(error)")
            }
        }
        XCTAssertThrowsError(try NPZ.decode(Data(), source: "empty.npz")) { error in
            guard case .notAnNPZ(let source, _)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(source, "empty.npz")
        }
        // A truncated archive: the end-of-central-directory record is gone.
        let data = try Data(contentsOf: npyFixtures.appendingPathComponent("savez_compressed.npz"))
        XCTAssertThrowsError(try NPZ.decode(data.prefix(data.count - 30), source: "cut.npz")) { error in
            guard case .notAnNPZ(let source, _)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(source, "cut.npz")
        }
    }

    func testCorruptedStoredEntryIsReported() throws {
        var data = try NPZ.encode([("x", try NPYArray(shape: [4], values: [1, 2, 3, 4]))])
        // Flip a byte in the stored payload: the CRC check must catch it.
        let payloadByte = try XCTUnwrap(data.lastRange(of: Data([0, 0, 0, 0, 0, 0, 0xF0, 0x3F]))).lowerBound
        data[payloadByte] ^= 0xFF
        XCTAssertThrowsError(try NPZ.decode(data, source: "crc.npz")) { error in
            guard case .notAnNPZ(let source, _)? = error as? NPYError else { return XCTFail("\(error)") }
            XCTAssertEqual(source, "crc.npz:x.npy")
        }
    }

    func testWriteRejectsBadNames() throws {
        let a = try NPYArray(shape: [1], values: [1])
        assertError(try NPZ.encode([("a", a), ("a", a)]), .invalidNPZEntryName(name: "a", detail: "the name is used more than once"))
        assertError(try NPZ.encode([("", a)]), .invalidNPZEntryName(name: "", detail: "the name is empty"))
        var bad = a
        bad.dtype = .uint8
        bad.values = [-3]
        assertError(try NPZ.encode([("neg", bad)]), .unrepresentableValue(dtype: .uint8, value: -3, index: 0))
    }

    func testEmptyArchiveRoundTrips() throws {
        let data = try NPZ.encode([])
        XCTAssertEqual(try NPZ.decode(data).count, 0)
    }
}
