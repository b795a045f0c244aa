// GnuplotBridge.cpp: the C API in include/GnuplotBridge.h, implemented with gnuplot-iostream.
//
// How one session works:
//  1. A private temporary folder holds gnuplot's stdout, stderr, the shell's record of gnuplot's
//     exit status, and a sentinel file.
//  2. gnuplot-iostream's `Gnuplot` opens a pipe (popen) to the shell command
//         { <gnuplot_command> ; } >'<tmp>/stdout' 2>'<tmp>/stderr'; echo $? >'<tmp>/status'
//     so a missing executable shows up as status 127 with the shell's "not found" on stderr.
//  3. We send: `reset errors`, the caller's commands (`cd`, `load`), then
//         if (GPVAL_ERRNO == 0) { set print '<tmp>/sentinel'; print ...; unset print }
//     gnuplot keeps reading its (non-interactive) input after an error, so the sentinel tests
//     GPVAL_ERRNO rather than merely being reached; gnuplot also exits non-zero after an error.
//  4. Destroying the `Gnuplot` object flushes and pcloses the pipe, which waits for the shell,
//     which waits for gnuplot: every output file is complete when we look at it.
// SIGPIPE (gnuplot gone before we finished writing) is blocked for this thread during the
// session and any pending one is consumed, so it cannot kill the host process.

#include "GnuplotBridge.h"

#include <gnuplot-iostream.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <sstream>
#include <string>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace {

/// Guards popen + FD_CLOEXEC so no concurrently started child inherits another session's pipe.
std::mutex popenMutex;

/// A private folder from mkdtemp, removed with its files on destruction.
class TempFolder {
public:
    TempFolder() {
        const char *base = std::getenv("TMPDIR");
        std::string pattern = std::string(base && base[0] ? base : "/tmp") + "/wb-gnuplot-XXXXXX";
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        if (mkdtemp(buffer.data()) == nullptr) {
            throw std::runtime_error(std::string("cannot create a temporary folder: ") + std::strerror(errno));
        }
        path_ = buffer.data();
    }
    ~TempFolder() {
        for (const char *name : {"stdout", "stderr", "status", "sentinel"}) {
            unlink(file(name).c_str());
        }
        rmdir(path_.c_str());
    }
    TempFolder(const TempFolder &) = delete;
    TempFolder &operator=(const TempFolder &) = delete;

    std::string file(const char *name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

/// Blocks SIGPIPE for the calling thread; on destruction consumes a SIGPIPE raised meanwhile.
class SigpipeGuard {
public:
    SigpipeGuard() {
        sigemptyset(&pipeSet_);
        sigaddset(&pipeSet_, SIGPIPE);
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        wasPending_ = sigismember(&pending, SIGPIPE) == 1;
        pthread_sigmask(SIG_BLOCK, &pipeSet_, &previous_);
    }
    ~SigpipeGuard() {
        sigset_t pending;
        sigemptyset(&pending);
        sigpending(&pending);
        if (!wasPending_ && sigismember(&pending, SIGPIPE) == 1) {
            struct timespec zero = {0, 0};
            while (sigtimedwait(&pipeSet_, nullptr, &zero) == -1 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
    SigpipeGuard(const SigpipeGuard &) = delete;
    SigpipeGuard &operator=(const SigpipeGuard &) = delete;

private:
    sigset_t pipeSet_;
    sigset_t previous_;
    bool wasPending_ = false;
};

/// Quotes `text` for /bin/sh with single quotes.
std::string shellQuoted(const std::string &text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += "'\\''"; else out += c;
    }
    return out + "'";
}

/// Quotes `text` as a gnuplot single-quoted string (no escapes; a quote is doubled).
std::string gnuplotQuoted(const std::string &text) {
    std::string out = "'";
    for (char c : text) {
        if (c == '\'') out += "''"; else out += c;
    }
    return out + "'";
}

bool readFile(const std::string &path, std::string &contents) {
    std::ifstream in(path, std::ios::in | std::ios::binary);
    if (!in) return false;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    contents = buffer.str();
    return true;
}

std::string trimmed(const std::string &text) {
    const char *space = " \t\r\n";
    size_t first = text.find_first_not_of(space);
    if (first == std::string::npos) return "";
    size_t last = text.find_last_not_of(space);
    return text.substr(first, last - first + 1);
}

/// Copies `text` into a C buffer, keeping the end (where gnuplot's error is) if it must cut.
void copyOut(const std::string &text, char *buffer, size_t capacity) {
    if (buffer == nullptr || capacity == 0) return;
    if (text.size() < capacity) {
        std::memcpy(buffer, text.data(), text.size());
        buffer[text.size()] = '\0';
        return;
    }
    const std::string marker = "...";
    if (capacity <= marker.size() + 1) {
        buffer[0] = '\0';
        return;
    }
    size_t keep = capacity - 1 - marker.size();
    std::string cut = marker + text.substr(text.size() - keep);
    std::memcpy(buffer, cut.data(), cut.size());
    buffer[cut.size()] = '\0';
}

/// What one gnuplot session left behind.
struct Session {
    bool haveStatus = false;
    int status = -1;
    bool reachedSentinel = false;
    std::string sentinel;
    std::string standardError;
};

/// Runs `command` through gnuplot-iostream, sends `commands`, and prints `sentinelExpression`
/// into the sentinel file only if gnuplot reported no error. Returns after gnuplot has exited.
Session runSession(const std::string &command, const std::vector<std::string> &commands,
                   const std::string &sentinelExpression) {
    TempFolder folder;
    const std::string shellCommand = "{ " + command + " ; } >" + shellQuoted(folder.file("stdout")) +
        " 2>" + shellQuoted(folder.file("stderr")) + "; echo $? >" + shellQuoted(folder.file("status"));

    {
        SigpipeGuard guard;
        std::unique_ptr<gnuplotio::Gnuplot> gp;
        {
            std::lock_guard<std::mutex> lock(popenMutex);
            gp.reset(new gnuplotio::Gnuplot(shellCommand));
            int fd = (*gp)->handle();
            fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
        }
        try {
            *gp << "reset errors\n";
            for (const std::string &line : commands) *gp << line << "\n";
            *gp << "if (GPVAL_ERRNO == 0) { set print " << gnuplotQuoted(folder.file("sentinel"))
                << "; print " << sentinelExpression << "; unset print }\n";
            *gp << "exit\n" << std::flush;
        } catch (const std::exception &) {
            // gnuplot closed its input early (e.g. it is missing); the files below tell why.
        }
        gp.reset();  // flush + pclose: waits for the shell, which waits for gnuplot.
    }

    Session session;
    std::string text;
    if (readFile(folder.file("status"), text)) {
        std::string digits = trimmed(text);
        if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos) {
            session.haveStatus = true;
            session.status = std::atoi(digits.c_str());
        }
    }
    if (readFile(folder.file("sentinel"), text)) {
        session.reachedSentinel = true;
        session.sentinel = trimmed(text);
    }
    if (readFile(folder.file("stderr"), text)) session.standardError = trimmed(text);
    return session;
}

/// Maps a finished session to a WB_GNUPLOT_* code and the message for the caller.
int classify(const Session &session, const std::string &command, std::string &message) {
    message = session.standardError;
    if (!session.haveStatus) {
        if (message.empty()) message = "the shell did not report gnuplot's exit status";
        return WB_GNUPLOT_BRIDGE_ERROR;
    }
    if (session.status == 126 || session.status == 127) {
        if (message.empty()) message = "cannot run '" + command + "'";
        return WB_GNUPLOT_NOT_FOUND;
    }
    if (session.status != 0 || !session.reachedSentinel) {
        if (message.empty()) {
            message = session.status != 0
                ? "gnuplot exited with status " + std::to_string(session.status) + " and no message"
                : "gnuplot stopped before the end of its input and gave no message";
        }
        return WB_GNUPLOT_FAILED;
    }
    return WB_GNUPLOT_OK;
}

// Runs `body` (which returns a status code) and turns any C++ exception it throws into
// WB_GNUPLOT_BRIDGE_ERROR with the exception's message in `out`: no exception crosses the C boundary.
template <typename Body>
int guarded(char *out, size_t capacity, Body body) {
    try {
        return body();
    } catch (const std::exception &error) {
        copyOut(std::string("gnuplot bridge: ") + error.what(), out, capacity);
    } catch (...) {
        copyOut("gnuplot bridge: unknown C++ exception", out, capacity);
    }
    return WB_GNUPLOT_BRIDGE_ERROR;
}

}  // namespace

extern "C" int wb_gnuplot_run(const char *gnuplot_command, const char *working_dir,
                              const char *script_file, char *message, size_t message_capacity) {
    return guarded(message, message_capacity, [&]() -> int {
        if (gnuplot_command == nullptr || gnuplot_command[0] == '\0' || working_dir == nullptr ||
            script_file == nullptr) {
            copyOut("wb_gnuplot_run: missing argument", message, message_capacity);
            return WB_GNUPLOT_BRIDGE_ERROR;
        }
        std::vector<std::string> commands = {
            std::string("cd ") + gnuplotQuoted(working_dir),
            std::string("load ") + gnuplotQuoted(script_file),
        };
        Session session = runSession(gnuplot_command, commands, "'ok'");
        std::string text;
        int code = classify(session, gnuplot_command, text);
        copyOut(text, message, message_capacity);
        return code;
    });
}

extern "C" int wb_gnuplot_version(const char *gnuplot_command, char *buffer, size_t capacity) {
    return guarded(buffer, capacity, [&]() -> int {
        if (gnuplot_command == nullptr || gnuplot_command[0] == '\0') {
            copyOut("wb_gnuplot_version: missing command", buffer, capacity);
            return WB_GNUPLOT_BRIDGE_ERROR;
        }
        Session session = runSession(
            gnuplot_command, {},
            "sprintf('gnuplot %.1f patchlevel %s', GPVAL_VERSION, GPVAL_PATCHLEVEL)");
        std::string text;
        int code = classify(session, gnuplot_command, text);
        if (code == WB_GNUPLOT_OK) text = session.sentinel;
        copyOut(text, buffer, capacity);
        return code;
    });
}
