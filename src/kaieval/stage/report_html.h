// The static stage report: a report JSON from `kaieval stage run`, put into the self-contained
// report page (web/dist-report/report.html, `npm run build:report`) and printed to PDF with
// headless Chromium. `kaieval stage report` calls WriteStaticReport.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace kaieval::stage {

// The opening tag of the template's element that holds the report; its content is replaced.
inline constexpr std::string_view kReportDataTag =
    R"(<script type="application/json" id="report-data">)";

// JSON text made safe as the content of a <script> element: "</" becomes "<\/" (no text can
// close the element), "<!--" becomes "\u003c!--" (no comment state, in which a later </script>
// would not close it), U+2028 and U+2029 become "\u2028" and "\u2029". In JSON text these can only
// occur inside strings, where the result parses to the same value.
std::string EscapeJsonForScript(std::string_view json);

// A stage report from its text. Throws InputError naming `name` when the text is not JSON or
// not an object with "teams" (a list) and "rubric" (an object).
nlohmann::ordered_json ParseStageReport(std::string_view text, const std::string& name);

// The template with `report` (compact, escaped) as the content of its one report-data element.
// Throws InputError naming `template_name` when that element is missing, unclosed or repeated.
std::string FillReportTemplate(std::string_view template_html, const nlohmann::ordered_json& report,
                               const std::string& template_name);

// "file:///abs/path", every byte outside [A-Za-z0-9-._~/] percent-encoded.
std::string FileUrl(const std::filesystem::path& path);

struct PdfOptions {
  std::string chromium = "/usr/bin/chromium";
  std::chrono::milliseconds timeout{60'000};
};

enum class PdfStatus { kWritten, kNoChromium };

// Prints the page `html` to `pdf` with headless Chromium (options.chromium), in a fresh profile
// folder that is removed afterwards. kNoChromium when options.chromium is not an executable file.
// Throws Error when Chromium fails, runs past the timeout (then it is killed with its process
// group) or leaves no PDF.
PdfStatus PrintToPdf(const std::filesystem::path& html, const std::filesystem::path& pdf,
                     const PdfOptions& options);

struct StaticReport {
  std::filesystem::path html, json, pdf;
  bool pdf_written = false;  // false: no Chromium, only the HTML and the JSON
};

// Reads the report JSON and the template, writes out_dir/report.html and out_dir/report.json (the
// input's bytes), then out_dir/report.pdf. Throws InputError naming the file that is missing or
// wrong; a missing template names its path and `make web`.
StaticReport WriteStaticReport(const std::string& report_json, const std::string& out_dir,
                               const std::string& template_path, const PdfOptions& options);

}  // namespace kaieval::stage
