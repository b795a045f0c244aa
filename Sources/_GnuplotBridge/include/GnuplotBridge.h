/// C API over gnuplot-iostream, for Swift (which imports this header as plain C).
///
/// Each call starts one gnuplot process through gnuplot-iostream's `Gnuplot` pipe, sends it a few
/// commands, closes the pipe and waits for gnuplot to exit before returning, so every file gnuplot
/// wrote is complete. No C++ exception crosses this boundary; every failure is a return code plus a
/// NUL-terminated message.
#ifndef WB_GNUPLOT_BRIDGE_H
#define WB_GNUPLOT_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// gnuplot ran and reached the end of its input without an error.
#define WB_GNUPLOT_OK 0
/// The shell could not run the command (exit status 126 or 127: missing or not executable).
#define WB_GNUPLOT_NOT_FOUND 1
/// gnuplot ran but reported an error, exited non-zero, or never reached the success sentinel.
#define WB_GNUPLOT_FAILED 2
/// The bridge itself failed (temporary files, pipe, bad arguments); gnuplot's state is unknown.
#define WB_GNUPLOT_BRIDGE_ERROR 3

/// Runs `gnuplot_command` (a shell command line, e.g. "gnuplot") on `script_file`.
///
/// gnuplot first changes to `working_dir` (its `cd` command), so relative paths in the script
/// resolve there, then `load`s `script_file`. Success means the shell exit status is 0 *and* a
/// sentinel that gnuplot prints only when `GPVAL_ERRNO == 0` after the load arrived.
///
/// `message` receives gnuplot's standard error (its error message on failure, warnings on success),
/// trimmed, keeping the end when it does not fit. Returns one of the `WB_GNUPLOT_*` codes.
int wb_gnuplot_run(const char *gnuplot_command, const char *working_dir, const char *script_file,
                   char *message, size_t message_capacity);

/// Asks `gnuplot_command` for its version, e.g. "gnuplot 5.4 patchlevel 4".
///
/// Writes the version into `buffer` on `WB_GNUPLOT_OK`, the error message otherwise. Use it as a
/// clear "is gnuplot installed and working?" check.
int wb_gnuplot_version(const char *gnuplot_command, char *buffer, size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
