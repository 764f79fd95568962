// ParseListLiteral: reads a list written as a Python or JSON literal, as benchmark files store
// list-valued columns (KoBBQ's choices). Used by process_docs' parse_list step; the text is
// untrusted data, so the parser checks every read and has a fuzz target (csv_reader_fuzz).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace kaieval::bench {

// A Python or JSON list literal of strings and numbers, e.g. ['a', "b's", 3, -1.5] -> JSON array.
// Strings take single or double quotes (optionally a u prefix) with Python backslash escapes
// (\n \t \' \" \\ \xhh \uhhhh \Uhhhhhhhh \ooo ...; an unknown escape keeps its backslash, as in
// Python; \/ is '/', as in JSON). A trailing comma is allowed. Anything else (nested lists,
// True/None, expressions) is rejected: the text is untrusted. `where` starts the InputError.
nlohmann::ordered_json ParseListLiteral(std::string_view text, std::string_view where);

}  // namespace kaieval::bench
