#include "kaieval/stage/report_html.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <string>

#include "kaieval/common/error.h"
#include "kaieval/common/file.h"
#include "kaieval/common/testing.h"

namespace kaieval::stage {
namespace {

using nlohmann::ordered_json;
using testing::InputErrorMessage;
using testing::ScratchDir;

const std::string kTemplate =
    "<!doctype html><html lang=\"ko\"><head><script type=\"module\">run()</script></head><body>"
    "<main></main><script type=\"application/json\" id=\"report-data\"></script></body></html>";

ordered_json Report(const std::string& note) {
  return {{"stage", "test stage"},
          {"teams", ordered_json::array({{{"name", "a"}, {"advances", true}}})},
          {"rubric", {{"id", "total"}, {"name", "총점"}}},
          {"notes", ordered_json::array({note})}};
}

// The text of the report-data element as an HTML parser sees it: up to the first "</script>".
std::string DataElementText(const std::string& html) {
  const size_t start = html.find(kReportDataTag);
  EXPECT_NE(start, std::string::npos);
  const size_t content = start + kReportDataTag.size();
  return html.substr(content, html.find("</script>", content) - content);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ReportHtml, HostileNoteStaysInsideTheDataElement) {
  const ordered_json report = Report("</script><script>alert(1)</script>");
  const std::string html = FillReportTemplate(kTemplate, report, "t.html");
  // no text from the report closes an element: the template's two </script> are all there are
  EXPECT_EQ(Count(html, "</script>"), Count(kTemplate, "</script>"));
  EXPECT_EQ(Count(html, "</"), Count(kTemplate, "</"));
  const std::string data = DataElementText(html);
  EXPECT_NE(data.find(R"(<\/script><script>alert(1)<\/script>)"), std::string::npos) << data;
  EXPECT_EQ(ordered_json::parse(data), report);
  EXPECT_TRUE(html.ends_with("</script></body></html>"));
}

TEST(ReportHtml, CommentOpenerCannotKeepTheElementOpen) {
  // "<!--<script>" would put the parser in a state where the closing </script> does not close
  const ordered_json report = Report("<!--<script>");
  const std::string data = DataElementText(FillReportTemplate(kTemplate, report, "t.html"));
  EXPECT_EQ(data.find("<!--"), std::string::npos) << data;
  EXPECT_NE(data.find(R"(\u003c!--<script>)"), std::string::npos) << data;
  EXPECT_EQ(ordered_json::parse(data), report);
}

TEST(ReportHtml, LineAndParagraphSeparatorsAreEscaped) {
  const ordered_json report = Report("a\u2028b\u2029c 한국어");
  const std::string data = DataElementText(FillReportTemplate(kTemplate, report, "t.html"));
  EXPECT_EQ(data.find("\xE2\x80\xA8"), std::string::npos);
  EXPECT_EQ(data.find("\xE2\x80\xA9"), std::string::npos);
  EXPECT_NE(data.find(R"(a\u2028b\u2029c 한국어)"), std::string::npos) << data;
  EXPECT_EQ(ordered_json::parse(data), report);
}

TEST(ReportHtml, EscapeLeavesOtherTextAlone) {
  EXPECT_EQ(EscapeJsonForScript(R"({"a":"x < y > z / <b>"})"), R"({"a":"x < y > z / <b>"})");
  EXPECT_EQ(EscapeJsonForScript("</"), R"(<\/)");
  EXPECT_EQ(EscapeJsonForScript("<<//"), R"(<<\//)");
}

TEST(ReportHtml, TemplateWithoutOrWithTwoDataElementsIsRefused) {
  EXPECT_EQ(InputErrorMessage([] {
              FillReportTemplate("<html></html>", Report(""), "t.html");
            }).rfind("t.html: no ", 0),
            0u);
  const std::string twice = kTemplate + std::string(kReportDataTag) + "</script>";
  EXPECT_EQ(InputErrorMessage([&] { FillReportTemplate(twice, Report(""), "t.html"); }),
            "t.html: more than one report-data element");
  const std::string unclosed = "<body>" + std::string(kReportDataTag);
  EXPECT_EQ(InputErrorMessage([&] { FillReportTemplate(unclosed, Report(""), "t.html"); }),
            "t.html: the report-data element is not closed");
}

TEST(ReportHtml, NotAStageReportIsRefusedNamingTheFile) {
  EXPECT_EQ(InputErrorMessage([] { ParseStageReport("{", "r.json"); }), "r.json: not valid JSON");
  EXPECT_NE(InputErrorMessage([] {
              ParseStageReport(R"({"teams": []})", "r.json");
            }).find("r.json: not a stage report"),
            std::string::npos);
  EXPECT_EQ(ParseStageReport(Report("n").dump(), "r.json"), Report("n"));
}

TEST(ReportHtml, FileUrlIsAbsoluteAndPercentEncoded) {
  EXPECT_EQ(FileUrl("/tmp/a b/보고서#1.html"),
            "file:///tmp/a%20b/%EB%B3%B4%EA%B3%A0%EC%84%9C%231.html");
  EXPECT_TRUE(FileUrl("x.html").starts_with("file:///"));
}

// Writes an executable shell script standing in for Chromium.
std::string FakeChromium(const ScratchDir& dir, const std::string& body) {
  const std::string path = dir.File("fake-chromium");
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  ::chmod(path.c_str(), 0755);
  return path;
}

class StaticReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.File("report.html.in")) << kTemplate;
    std::ofstream(dir_.File("in.json")) << Report("note").dump(2);
  }
  StaticReport Write(const PdfOptions& options) {
    return WriteStaticReport(dir_.File("in.json"), dir_.File("out"), dir_.File("report.html.in"),
                             options);
  }
  ScratchDir dir_{"report_html"};
};

TEST_F(StaticReportTest, FakeChromiumGetsTheFlagsAndAFreshProfileThatIsRemoved) {
  // records its arguments, then writes a PDF where --print-to-pdf= says
  const std::string args = dir_.File("args.txt");
  const std::string fake =
      FakeChromium(dir_, "for a in \"$@\"; do echo \"$a\"; done >" + args + R"sh(
for a in "$@"; do case "$a" in
  --print-to-pdf=*) printf '%%PDF-1.4 fake' >"${a#--print-to-pdf=}" ;;
  --user-data-dir=*) [ -d "$(dirname "${a#--user-data-dir=}")" ] || exit 9 ;;
esac; done)sh");
  const StaticReport out = Write({fake, std::chrono::seconds(20)});
  EXPECT_TRUE(out.pdf_written);
  EXPECT_TRUE(ReadFileBytes(out.pdf).starts_with("%PDF"));
  EXPECT_EQ(ReadFileBytes(out.json), ReadFileBytes(dir_.File("in.json")));
  EXPECT_NE(ReadFileBytes(out.html).find(R"("notes":["note"])"), std::string::npos);
  const std::string seen = ReadFileBytes(args);
  for (const char* flag : {"--headless\n", "--no-sandbox\n", "--disable-gpu\n",
                           "--disable-background-networking\n", "--disable-component-update\n",
                           "--disable-sync\n", "--no-first-run\n", "--no-pdf-header-footer\n"}) {
    EXPECT_NE(seen.find(flag), std::string::npos) << flag << " missing in:\n" << seen;
  }
  EXPECT_NE(seen.find("\nfile:///"), std::string::npos) << seen;
  const size_t at = seen.find("--user-data-dir=");
  ASSERT_NE(at, std::string::npos);
  const std::string profile = seen.substr(at + 16, seen.find('\n', at) - at - 16);
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(profile).parent_path())) << profile;
}

TEST_F(StaticReportTest, MissingChromiumStillWritesHtmlAndJson) {
  const StaticReport out = Write({dir_.File("no-such-chromium"), std::chrono::seconds(5)});
  EXPECT_FALSE(out.pdf_written);
  EXPECT_TRUE(std::filesystem::exists(out.html));
  EXPECT_TRUE(std::filesystem::exists(out.json));
  EXPECT_FALSE(std::filesystem::exists(out.pdf));
}

TEST_F(StaticReportTest, HangingChromiumIsKilledAtTheTimeout) {
  const std::string fake = FakeChromium(dir_, "sleep 30 & sleep 30");
  const auto t0 = std::chrono::steady_clock::now();
  try {
    Write({fake, std::chrono::milliseconds(300)});
    FAIL() << "no error for a Chromium that never ends";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("did not print"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
}

TEST_F(StaticReportTest, FailingChromiumNamesItsStatusAndLastLine) {
  const std::string fake =
      FakeChromium(dir_, "echo 'noise'; echo 'cannot open display' >&2; exit 3");
  try {
    Write({fake, std::chrono::seconds(20)});
    FAIL() << "no error for a failing Chromium";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("exited with status 3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cannot open display"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.File("out/report.html")));
}

TEST_F(StaticReportTest, MissingTemplateNamesItsPathAndMakeWeb) {
  const std::string msg = InputErrorMessage([this] {
    WriteStaticReport(dir_.File("in.json"), dir_.File("out"), dir_.File("nope.html"), {});
  });
  EXPECT_NE(msg.find(dir_.File("nope.html")), std::string::npos) << msg;
  EXPECT_NE(msg.find("make web"), std::string::npos) << msg;
}

}  // namespace
}  // namespace kaieval::stage
