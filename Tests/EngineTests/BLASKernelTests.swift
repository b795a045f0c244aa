import XCTest
@testable import Engine

/// The OpenBLAS kernel override: only OpenBLAS's generic fallback is replaced, and only by a kernel
/// whose instruction sets the processor reports.
final class BLASKernelTests: XCTestCase {
    let avx2: Set<String> = ["sse4_2", "avx", "avx2", "fma"]
    let avx512: Set<String> = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]

    func testFallbackIsReplacedByTheWidestSupportedKernel() {
        XCTAssertEqual(BLAS.betterKernel(detected: "Prescott", cpuFlags: avx512), "SkylakeX")
        XCTAssertEqual(BLAS.betterKernel(detected: "Prescott", cpuFlags: avx2), "Haswell")
    }

    func testPartialAVX512IsNotEnoughForSkylakeX() {
        XCTAssertEqual(BLAS.betterKernel(detected: "Prescott", cpuFlags: avx512.subtracting(["avx512vl"])), "Haswell")
    }

    func testOpenBLASsOwnChoiceAndOldProcessorsAreLeftAlone() {
        XCTAssertNil(BLAS.betterKernel(detected: "Haswell", cpuFlags: avx512))
        XCTAssertNil(BLAS.betterKernel(detected: "SkylakeX", cpuFlags: avx512))
        XCTAssertNil(BLAS.betterKernel(detected: "Prescott", cpuFlags: ["sse3", "avx"]))
        XCTAssertNil(BLAS.betterKernel(detected: "Prescott", cpuFlags: []))
    }
}
