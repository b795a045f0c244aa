import _OpenBLAS
import Foundation

extension BLAS {
    /// How the engine's own loops were compiled: `native` (`-target-cpu native`, the build
    /// machine's vector width; see Package.swift) or `baseline` (the architecture's default).
    public static var engineTargetCPU: String {
        #if ENGINE_TARGET_CPU_NATIVE
        return "native"
        #else
        return "baseline"
        #endif
    }

    /// The OpenBLAS kernel family in use, e.g. `Haswell` or `SkylakeX` (`Prescott` is its generic fallback).
    public static var coreName: String { String(cString: openblas_get_corename()) }

    /// The kernel OpenBLAS should be told to use, or `nil` when its own choice stands.
    ///
    /// Debian 12's OpenBLAS 0.3.21 does not recognise some recent Xeon models (they report
    /// themselves as a plain "Intel Xeon Processor") and falls back to its SSE3 kernels, `Prescott`,
    /// which run the engine's matrix products two to three times slower than the AVX2 or AVX-512
    /// kernels the processor has. Only that fallback is overridden, and only with a kernel whose
    /// instructions the kernel-reported CPU flags (`/proc/cpuinfo`) all include.
    static func betterKernel(detected: String, cpuFlags: Set<String>) -> String? {
        guard detected == "Prescott" else { return nil }
        if ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"].allSatisfy(cpuFlags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(cpuFlags.contains) { return "Haswell" }
        return nil
    }

    /// The CPU flags of the first processor in `/proc/cpuinfo` (empty where it is unreadable).
    static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// Restarts this process with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to its generic
    /// kernels on a processor that has faster ones (see ``betterKernel(detected:cpuFlags:)``).
    ///
    /// OpenBLAS picks its kernel when the library loads, so the choice can only be changed for a
    /// new process image. Call first thing in `main`. Does nothing when `OPENBLAS_CORETYPE` is
    /// already set (the user's or the machine's choice stands); if the restart fails the process
    /// goes on with the generic kernels.
    public static func useFastestKernel() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              let kernel = betterKernel(detected: coreName, cpuFlags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", kernel, 1)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &argv)
        // Only reached when execv failed.
        for p in argv { free(p) }
    }
}
