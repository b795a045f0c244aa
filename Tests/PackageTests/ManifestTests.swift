import Foundation
import XCTest

/// `Package.swift` is exact: every target declares the modules its files import, and nothing else.
///
/// The manifest is read as text (each `.target(`, `.executableTarget(`, `.testTarget(` call, its
/// `name:` and the names in its `dependencies:` list, a `.product(name:)` counting as that module),
/// and each target's files are read for `import` lines. Modules of the toolchain (Foundation,
/// XCTest, Glibc, ...) need no declaration.
final class ManifestTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let toolchainModules: Set<String> = ["Foundation", "FoundationEssentials", "XCTest", "Glibc", "Darwin", "Dispatch", "Synchronization", "PackageDescription"]

    /// One target of the manifest.
    struct Target: Equatable {
        var kind: String, name: String, dependencies: Set<String>
        var folder: String { kind == "testTarget" ? "Tests/\(name)" : "Sources/\(name)" }
    }

    /// Every target call in `manifest`, with its declared dependencies.
    static func targets(in manifest: String) -> [Target] {
        var out: [Target] = []
        let chars = Array(manifest)
        let pattern = try! NSRegularExpression(pattern: #"\.(target|executableTarget|testTarget)\("#)
        let ns = manifest as NSString
        for m in pattern.matches(in: manifest, range: NSRange(location: 0, length: ns.length)) {
            let kind = ns.substring(with: m.range(at: 1))
            // The call's text up to its balanced closing parenthesis.
            var depth = 0, i = m.range.location + m.range.length - 1, end = i
            repeat {
                if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
                end = i; i += 1
            } while depth > 0 && i < chars.count
            let call = String(chars[(m.range.location)...end])
            guard let name = firstCapture(#"name:\s*"([^"]+)""#, in: call) else { continue }
            var deps = Set<String>()
            if let start = call.range(of: "dependencies:") {
                // The dependency array: from its `[` to the matching `]`.
                let rest = Array(call[start.upperBound...])
                var d = 0, j = 0, body = ""
                while j < rest.count {
                    if rest[j] == "[" { d += 1 } else if rest[j] == "]" { d -= 1; if d == 0 { break } }
                    if d > 0 { body.append(rest[j]) }
                    j += 1
                }
                let products = captures(#"\.product\(\s*name:\s*"([^"]+)""#, in: body)
                let withoutProducts = body.replacingOccurrences(of: #"\.product\([^)]*\)"#, with: "", options: .regularExpression)
                deps = Set(products + captures(#""([^"]+)""#, in: withoutProducts))
            }
            out.append(Target(kind: kind, name: name, dependencies: deps))
        }
        return out
    }

    /// The modules imported by the Swift files under `folder`.
    static func imports(under folder: URL) -> Set<String> {
        var modules = Set<String>()
        guard let e = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return modules }
        for case let url as URL in e where url.pathExtension == "swift" {
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            modules.formUnion(captures(#"(?m)^\s*(?:@testable\s+|@_exported\s+)?import\s+(?:struct\s+|class\s+|enum\s+|func\s+)?([A-Za-z_][A-Za-z0-9_]*)"#, in: text))
        }
        return modules.subtracting(toolchainModules)
    }

    static func captures(_ pattern: String, in text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    static func firstCapture(_ pattern: String, in text: String) -> String? { captures(pattern, in: text).first }

    func testReaderFindsTargetsAndDependencies() {
        let manifest = """
        .target(name: "A", dependencies: ["B", .product(name: "Crypto", package: "swift-crypto")], exclude: ["README.md"]),
        .executableTarget(
            name: "tool",
            dependencies: [
                "A",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "ATests", dependencies: ["A"], exclude: ["Fixtures"]),
        .target(name: "Leaf"),
        """
        XCTAssertEqual(Self.targets(in: manifest), [
            Target(kind: "target", name: "A", dependencies: ["B", "Crypto"]),
            Target(kind: "executableTarget", name: "tool", dependencies: ["A", "ArgumentParser"]),
            Target(kind: "testTarget", name: "ATests", dependencies: ["A"]),
            Target(kind: "target", name: "Leaf", dependencies: []),
        ])
    }

    func testEveryTargetDeclaresExactlyWhatItImports() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = Self.targets(in: manifest)
        XCTAssertGreaterThan(targets.count, 10, "the manifest reader found too few targets")
        var problems: [String] = []
        let executables = Set(targets.filter { $0.kind == "executableTarget" }.map(\.name))
        for t in targets {
            let folder = Self.root.appendingPathComponent(t.folder)
            guard FileManager.default.fileExists(atPath: folder.path) else { problems.append("\(t.name): no folder \(t.folder)"); continue }
            let imported = Self.imports(under: folder)
            let missing = imported.subtracting(t.dependencies).sorted()
            // A test target may depend on an executable only to have it built (it runs it).
            let unused = t.dependencies.subtracting(imported).subtracting(executables).sorted()
            if !missing.isEmpty { problems.append("\(t.name) imports \(missing.joined(separator: ", ")) but does not declare it") }
            if !unused.isEmpty { problems.append("\(t.name) declares \(unused.joined(separator: ", ")) but never imports it") }
        }
        XCTAssertEqual(problems, [], "Package.swift must declare exactly each target's imports")
    }

    /// Each test target mirrors one module: `<Module>Tests` for a library or executable target.
    func testEveryTestTargetMirrorsOneModule() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = Self.targets(in: manifest)
        let modules = Set(targets.filter { $0.kind != "testTarget" }.map(\.name))
        for t in targets where t.kind == "testTarget" && t.name != "PackageTests" {
            XCTAssertTrue(t.name.hasSuffix("Tests") && modules.contains(String(t.name.dropLast(5))), "\(t.name) mirrors no module")
            XCTAssertTrue(t.dependencies.contains(String(t.name.dropLast(5))), "\(t.name) does not depend on its module")
        }
    }

    /// What a chapter's code hash leaves out (`Provenance.codeHash(root:chapter:)`) is code that
    /// chapter cannot run: no chapter executable links Benchmarks or workbench, even through
    /// other modules, and no chapter folder under Sources/Chapters names another one's top-level
    /// declarations (types, functions, constants) or, as `Type.member`, the members it adds to
    /// shared types (a text check: it reads declarations at the start of a line, as this package
    /// writes them).
    func testAChaptersCodeHashLeavesOutOnlyCodeItCannotRun() throws {
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = Self.targets(in: manifest)
        let byName = Dictionary(targets.filter { $0.kind != "testTarget" }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for exe in targets where exe.kind == "executableTarget" && exe.name.hasPrefix("chapter-") {
            var linked = Set<String>(), stack = [exe.name]
            while let name = stack.popLast() {
                for d in byName[name]?.dependencies ?? [] where linked.insert(d).inserted { stack.append(d) }
            }
            XCTAssertTrue(linked.isDisjoint(with: ["Benchmarks", "workbench"]), "\(exe.name) links \(linked.sorted())")
            XCTAssertTrue(linked.allSatisfy { !$0.hasPrefix("chapter-") }, "\(exe.name) links another chapter executable")
        }

        let chapters = Self.root.appendingPathComponent("Sources/Chapters")
        let folders = try FileManager.default.contentsOfDirectory(atPath: chapters.path).filter {
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: chapters.appendingPathComponent($0).path, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
        XCTAssertGreaterThanOrEqual(folders.count, 5)
        func text(_ folder: String) throws -> String {
            let dir = chapters.appendingPathComponent(folder)
            return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }.sorted()
                .map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        }
        let declaration = #"(?m)^(?:@\w+\s+)*(?:(?:public|internal|private|fileprivate|final|static|nonisolated\(unsafe\))\s+)*(?:struct|enum|class|actor|protocol|typealias|func|let|var)\s+([A-Za-z_]\w*)"#
        let member = #"(?m)^    (?:@\w+\s+)*(?:(?:public|internal|private|fileprivate|final|static|nonisolated\(unsafe\))\s+)*(?:struct|enum|class|func|let|var)\s+([A-Za-z_]\w*)"#
        var problems: [String] = [], seen = Set<String>()
        for folder in folders {
            let own = try text(folder)
            let topLevel = Set(Self.captures(declaration, in: own))
            seen.formUnion(topLevel)
            // Members this folder adds to a type it does not declare (e.g. `extension Chapter { static let data }`).
            var added = Set<String>()
            for block in own.components(separatedBy: "\nextension ").dropFirst() {
                let type = String(block.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                guard !topLevel.contains(type) else { continue }
                let body = block.components(separatedBy: "\n}").first ?? ""
                added.formUnion(Self.captures(member, in: body).map { "\(type).\($0)" })
            }
            seen.formUnion(added)
            for other in folders where other != folder {
                let theirs = try text(other)
                for name in topLevel.sorted() where theirs.range(of: "\\b\(name)\\b", options: .regularExpression) != nil {
                    problems.append("Chapters/\(other) uses \(name) from Chapters/\(folder)")
                }
                for name in added.sorted() where theirs.range(of: "\\b\(name.replacingOccurrences(of: ".", with: "\\."))\\b", options: .regularExpression) != nil {
                    problems.append("Chapters/\(other) uses \(name), which Chapters/\(folder) adds")
                }
            }
        }
        XCTAssertEqual(problems, [])
        // The reader finds what it looks for (else the check above would pass vacuously).
        XCTAssertTrue(seen.isSuperset(of: ["VQBeTAnatomy", "FrequencySweep", "Chapter.architectures", "Chapter.evaluation"]), "\(seen.sorted())")
    }
}
