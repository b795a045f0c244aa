import _GnuplotBridge

/// Internal Swift shim over the `_GnuplotBridge` C API.
enum _Gnuplot {
    /// How a gnuplot session ended.
    enum Outcome: Equatable {
        /// gnuplot finished; the text is its standard error (warnings), possibly empty.
        case ok(String)
        /// The command could not be run at all (missing or not executable).
        case notFound(String)
        /// gnuplot reported an error or stopped early; the text is its message.
        case failed(String)
        /// The bridge itself failed (temporary files, pipe).
        case bridgeError(String)
    }

    /// Size of the message buffer handed to C; longer messages keep their end.
    static let messageCapacity = 16 * 1024

    /// Runs `command` on `script` after changing to `directory`; returns once gnuplot has exited.
    static func run(command: String, directory: String, script: String) -> Outcome {
        call { buffer, capacity in
            wb_gnuplot_run(command, directory, script, buffer, capacity)
        }
    }

    /// Asks `command` for its version line, e.g. "gnuplot 5.4 patchlevel 4".
    static func version(command: String) -> Outcome {
        call { buffer, capacity in wb_gnuplot_version(command, buffer, capacity) }
    }

    private static func call(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) -> Outcome {
        var buffer = [CChar](repeating: 0, count: messageCapacity)
        let code = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        let text = buffer.withUnsafeBufferPointer { pointer in
            String(decoding: pointer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        switch code {
        case WB_GNUPLOT_OK: return .ok(text)
        case WB_GNUPLOT_NOT_FOUND: return .notFound(text)
        case WB_GNUPLOT_FAILED: return .failed(text)
        default: return .bridgeError(text)
        }
    }
}
