#include "kaieval/stage/report_html.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>

#include "kaieval/common/error.h"
#include "kaieval/common/temp_dir.h"
#include "kaieval/common/file.h"

namespace kaieval::stage {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out.flush()) throw InputError(fmt::format("{}: cannot write", path.string()));
}

// A child process in its own process group, with stdout and stderr in a log file. The destructor
// kills the whole group (Chromium starts helpers) and reaps the child if it is still running.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log_fd < 0 || null_fd < 0) {
      if (log_fd >= 0) ::close(log_fd);
      if (null_fd >= 0) ::close(null_fd);
      throw Error(ExitCode::kInternal, fmt::format("{}: cannot open", log.string()));
    }
    pid_ = ::fork();
    if (pid_ == 0) {
      // only async-signal-safe calls between fork and exec
      ::setpgid(0, 0);
      ::dup2(null_fd, STDIN_FILENO);
      ::dup2(log_fd, STDOUT_FILENO);
      ::dup2(log_fd, STDERR_FILENO);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(log_fd);
    ::close(null_fd);
    if (pid_ < 0) {
      throw Error(ExitCode::kInternal,
                  fmt::format("cannot start {}: {}", argv[0], std::strerror(fork_errno)));
    }
    ::setpgid(pid_, pid_);  // also here, so that no kill can come before the child's own call
  }

  ~ChildProcess() {
    if (pid_ > 0) {
      KillGroup();
      if (!reaped_) ::waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The wait status once the child ends; nullopt if it is still running after `timeout`.
  std::optional<int> WaitFor(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r < 0 && errno != EINTR) {
        reaped_ = true;
        throw Error(ExitCode::kInternal, fmt::format("waitpid: {}", std::strerror(errno)));
      }
      if (r == pid_) {
        reaped_ = true;
        KillGroup();  // helpers left behind by the leader
        return status;
      }
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

 private:
  void KillGroup() { ::kill(-pid_, SIGKILL); }

  pid_t pid_ = -1;
  bool reaped_ = false;
};

// The last non-empty line of a log, shortened, for an error message.
std::string LastLine(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  if (last.size() > 300) last = last.substr(0, 300) + "…";
  return last.empty() ? "no output" : last;
}

bool StartsWithPdfMagic(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char head[4] = {};
  return in.read(head, 4) && std::string_view(head, 4) == "%PDF";
}

}  // namespace

std::string EscapeJsonForScript(std::string_view json) {
  std::string out;
  out.reserve(json.size() + json.size() / 16);
  for (size_t i = 0; i < json.size(); ++i) {
    const std::string_view rest = json.substr(i);
    if (rest.starts_with("</")) {
      out += "<\\/";
      ++i;
    } else if (rest.starts_with("<!--")) {
      out += "\\u003c";
    } else if (rest.starts_with("\xE2\x80\xA8") || rest.starts_with("\xE2\x80\xA9")) {
      out += rest[2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += json[i];
    }
  }
  return out;
}

ordered_json ParseStageReport(std::string_view text, const std::string& name) {
  ordered_json report = ordered_json::parse(text, nullptr, false);
  if (report.is_discarded()) throw InputError(fmt::format("{}: not valid JSON", name));
  if (!report.is_object() || !report.contains("teams") || !report["teams"].is_array() ||
      !report.contains("rubric") || !report["rubric"].is_object()) {
    throw InputError(
        fmt::format("{}: not a stage report (expected an object with 'teams' and 'rubric'; "
                    "kaieval stage run writes one)",
                    name));
  }
  return report;
}

std::string FillReportTemplate(std::string_view html, const ordered_json& report,
                               const std::string& template_name) {
  const size_t open = html.find(kReportDataTag);
  if (open == std::string_view::npos) {
    throw InputError(fmt::format("{}: no {}...</script> element to put the report in",
                                 template_name, kReportDataTag));
  }
  if (html.find(kReportDataTag, open + 1) != std::string_view::npos) {
    throw InputError(fmt::format("{}: more than one report-data element", template_name));
  }
  const size_t content = open + kReportDataTag.size();
  const size_t close = html.find("</script>", content);
  if (close == std::string_view::npos) {
    throw InputError(fmt::format("{}: the report-data element is not closed", template_name));
  }
  const std::string json = report.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  std::string out;
  out.reserve(html.size() + json.size() + 64);
  out.append(html.substr(0, content));
  out.append(EscapeJsonForScript(json));
  out.append(html.substr(close));
  return out;
}

std::string FileUrl(const fs::path& path) {
  const std::string abs = fs::absolute(path).lexically_normal().string();
  std::string out = "file://";
  for (const unsigned char c : abs) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

PdfStatus PrintToPdf(const fs::path& html, const fs::path& pdf, const PdfOptions& options) {
  if (::access(options.chromium.c_str(), X_OK) != 0 || fs::is_directory(options.chromium)) {
    return PdfStatus::kNoChromium;
  }
  TempDir profile("kaieval-chromium-");
  const fs::path pdf_abs = fs::absolute(pdf);
  std::error_code ec;
  fs::remove(pdf_abs, ec);  // a PDF left from an earlier run must not pass for this one
  const std::vector<std::string> argv = {
      options.chromium,
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--user-data-dir=" + (profile.path() / "profile").string(),
      "--no-pdf-header-footer",
      "--print-to-pdf=" + pdf_abs.string(),
      FileUrl(html),
  };
  const fs::path log = profile.path() / "chromium.log";
  ChildProcess chromium(argv, log);
  const std::optional<int> status = chromium.WaitFor(options.timeout);
  if (!status) {
    throw Error(ExitCode::kInternal,
                fmt::format("{} did not print {} within {} s; killed it", options.chromium,
                            html.string(), options.timeout.count() / 1000.0));
  }
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    const std::string how = WIFEXITED(*status)
                                ? fmt::format("exited with status {}", WEXITSTATUS(*status))
                                : fmt::format("was killed by signal {}", WTERMSIG(*status));
    throw Error(ExitCode::kInternal, fmt::format("{} {} printing {}: {}", options.chromium, how,
                                                 html.string(), LastLine(log)));
  }
  if (!StartsWithPdfMagic(pdf_abs)) {
    throw Error(ExitCode::kInternal, fmt::format("{} wrote no PDF to {}: {}", options.chromium,
                                                 pdf_abs.string(), LastLine(log)));
  }
  return PdfStatus::kWritten;
}

StaticReport WriteStaticReport(const std::string& report_json, const std::string& out_dir,
                               const std::string& template_path, const PdfOptions& options) {
  if (!fs::is_regular_file(template_path)) {
    throw InputError(
        fmt::format("{}: no report template; build the web pages first (make web)", template_path));
  }
  const std::string json_bytes = ReadFileBytes(report_json);
  const std::string html = FillReportTemplate(
      ReadFileBytes(template_path), ParseStageReport(json_bytes, report_json), template_path);
  StaticReport out;
  out.html = fs::path(out_dir) / "report.html";
  out.json = fs::path(out_dir) / "report.json";
  out.pdf = fs::path(out_dir) / "report.pdf";
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw InputError(fmt::format("{}: cannot create the folder: {}", out_dir, ec.message()));
  WriteFile(out.html, html);
  if (!fs::equivalent(report_json, out.json, ec))
    WriteFile(out.json, json_bytes);  // not onto itself
  out.pdf_written = PrintToPdf(out.html, out.pdf, options) == PdfStatus::kWritten;
  return out;
}

}  // namespace kaieval::stage
