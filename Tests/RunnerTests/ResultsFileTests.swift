import Experiments
import Foundation
import Support
import Metrics
import XCTest
@testable import Runner

/// The typed results file: what the runner writes is what every reader reads back.
final class ResultsFileTests: XCTestCase {
    func sample() -> ResultsFile {
        ResultsFile(
            experiment: "data/outlier-sensitivity", title: "Outliers", profile: "smoke", seeds: [1, 2],
            config: .table([("seeds", .array([.int(1), .int(2)])), ("rate", .double(0.5))]),
            metrics: [.init(condition: [("tokenizer", "minmax"), ("fraction", "0.01")], metric: "rmse", unit: "", scale: .log, perSeed: [0.25, .nan])],
            timings: [.init(condition: [], metric: "fit_seconds", unit: "s", scale: .log, perSeed: [1.5, 2.5])],
            claims: [.init(id: "c", statement: "It holds.",
                           rule: .init(statistic: "rmse", select: .table([("tokenizer", .string("minmax"))]), reduce: "min",
                                       compare: .greater, threshold: 2, scale: .log),
                           perSeed: [3, 4], seedsHolding: 2, nearThreshold: false, verdict: "supported")],
            files: ["results.json", "results.md"],
            provenance: .init(gitCommit: "abc", gitDirty: false, toolchain: "swift", cpuModel: "cpu", blasKernel: "Haswell",
                              engineTargetCPU: "native", codeSHA256: "code", inputDataSHA256: "data", experimentFile: "experiments/data/x.toml",
                              cacheKey: "key"),
            path: "output/data/outlier-sensitivity/results.json")
    }

    func testWrittenFileReadsBackFieldForField() throws {
        let written = sample()
        let data = try written.encoded()
        let read = try ResultsFile(data: data, path: written.path)
        XCTAssertEqual(try read.encoded(), data, "a file read back writes the same bytes")
        XCTAssertEqual(read.metrics[0].key, "rmse (fraction=0.01, tokenizer=minmax)")
        XCTAssertEqual(read.metrics[0].perSeed[0], 0.25)
        XCTAssertTrue(read.metrics[0].perSeed[1].isNaN, "a NaN is written as null and read back as NaN")
        XCTAssertEqual(read.timings[0].perSeed, [1.5, 2.5])
        XCTAssertEqual(read.claims[0].ruleText, "rmse (min over the selected cells) > 2")
        XCTAssertEqual(read.claims[0].summary, SeedSummary([3, 4], scale: .log))
        XCTAssertEqual(read.claims[0].markedVerdict, "✅ **supported**")
        XCTAssertEqual(read.provenance.cacheKey, "key")
        XCTAssertEqual(read.config, .table([("rate", .double(0.5)), ("seeds", .array([.int(1), .int(2)]))]))
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.contains("\"per_seed\""), text)
        XCTAssertTrue(text.contains("null"), "non-finite numbers are JSON null")
        XCTAssertTrue(text.contains("\"ci95\""), "summaries are written for readers outside Swift")
    }

    func testBadFileNamesTheFieldAndPosition() throws {
        var json = try JSONSerialization.jsonObject(with: sample().encoded()) as! [String: Any]
        var claims = json["claims"] as! [[String: Any]]
        claims[0]["seeds_holding"] = "two"
        json["claims"] = claims
        let bad = try JSONSerialization.data(withJSONObject: json)
        XCTAssertThrowsError(try ResultsFile(data: bad, path: "r.json")) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.key, "seeds_holding", "\(error)")
            XCTAssertEqual(e?.location, "r.json: claims[0]", "\(error)")
        }
        json.removeValue(forKey: "metrics")
        XCTAssertThrowsError(try ResultsFile(data: try JSONSerialization.data(withJSONObject: json), path: "r.json")) { error in
            XCTAssertEqual((error as? ConfigError)?.key, "metrics", "\(error)")
        }
    }
}
