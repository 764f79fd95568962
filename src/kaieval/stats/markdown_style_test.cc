#include "kaieval/stats/markdown_style.h"

#include <gtest/gtest.h>

#include <string>

namespace kaieval::stats {
namespace {

TEST(MarkdownStyle, CountsHeadersListsAndBoldOutsideCodeBlocks) {
  const std::string answer =
      "# 제목\n"                                         // header 1
      "## Sub heading\n"                                 // header 2
      "####### seven is not one\n"                       // 7 '#': no
      "#no space\n"                                      // no
      "Some **bold** and __also__ and **not\nbold**.\n"  // 2 bold (the third spans lines)
      "1. first\n"                                       // list 1
      "  12. second\n"                                   // list 2
      "3.no space\n"                                     // no
      "- dash\n"                                         // list 3
      "* star **b**\n"                                   // list 4, bold 3
      "+ plus\n"                                         // list 5
      "---\n"                                            // no
      "```\n# not a header\n- not a list\n**not bold**\n```\n"
      "#\n";  // header 3: a bare '#' followed by its newline
  const AnswerStyle s = CountMarkdownStyle(answer);
  EXPECT_EQ(s.headers, 3);
  EXPECT_EQ(s.lists, 5);
  EXPECT_EQ(s.bold, 3);
}

TEST(MarkdownStyle, LengthIsCodePointsOfTheWholeAnswer) {
  // 5 code points: 한 (3 bytes), 국 (3 bytes), space, "ab"; code blocks count too.
  EXPECT_EQ(CountMarkdownStyle("한국 ab").length, 5);
  EXPECT_EQ(CountMarkdownStyle("```x```").length, 7);
  EXPECT_EQ(CountMarkdownStyle("").length, 0);
}

TEST(MarkdownStyle, EdgesOfLinesAndFences) {
  EXPECT_EQ(CountMarkdownStyle("#").headers, 0);  // needs whitespace after, and there is none
  EXPECT_EQ(CountMarkdownStyle("# ").headers, 1);
  EXPECT_EQ(CountMarkdownStyle("-").lists, 0);
  EXPECT_EQ(CountMarkdownStyle("-\nx").lists, 1);  // the newline is the whitespace
  EXPECT_EQ(CountMarkdownStyle("****").bold, 0);   // needs text between the markers
  EXPECT_EQ(CountMarkdownStyle("**a**b**").bold, 1);
  // A fence with a backtick inside is no block: the header after it still counts.
  EXPECT_EQ(CountMarkdownStyle("``` a ` b ```\n# h").headers, 1);
  // An unclosed fence removes nothing.
  EXPECT_EQ(CountMarkdownStyle("```\n# h\n").headers, 1);
  // Two blocks, text between them counts.
  EXPECT_EQ(CountMarkdownStyle("```a```\n- item\n```b```").lists, 1);
}

}  // namespace
}  // namespace kaieval::stats
