// libFuzzer target: arbitrary bytes read as CSV, as TSV, as JSONL and JSON documents, and as a
// Python list literal give results or an InputError, never a crash; every string they yield is
// valid UTF-8.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "kaieval/bench/csv_reader.h"
#include "kaieval/bench/dataset.h"
#include "kaieval/bench/process_docs.h"
#include "kaieval/common/error.h"
#include "kaieval/common/utf8.h"

namespace {

void CheckStrings(const nlohmann::ordered_json& value) {
  if (value.is_string() && !kaieval::IsValidUtf8(value.get_ref<const std::string&>())) {
    __builtin_trap();
  }
  if (value.is_structured()) {
    for (const auto& item : value) CheckStrings(item);
  }
}

void ReadAs(const std::string& bytes, kaieval::bench::DataFormat format) {
  std::istringstream in(bytes);
  try {
    kaieval::bench::ReadDocuments(in, "fuzz", format, [](kaieval::bench::Document&& doc) {
      if (!doc.fields.is_object()) __builtin_trap();
      CheckStrings(doc.fields);
      return true;
    });
  } catch (const kaieval::InputError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  using kaieval::bench::DataFormat;
  ReadAs(bytes, DataFormat::kCsv);
  ReadAs(bytes, DataFormat::kTsv);
  ReadAs(bytes, DataFormat::kJsonl);
  ReadAs(bytes, DataFormat::kJson);
  try {
    auto list = kaieval::bench::ParseListLiteral(bytes, "fuzz");
    if (!list.is_array()) __builtin_trap();
    CheckStrings(list);
  } catch (const kaieval::InputError&) {
  }
  return 0;
}
