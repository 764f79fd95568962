// Hub model ids: normalisation of the forms found in cards and tags ("https://huggingface.co/
// ORG/NAME/", "ORG/NAME") and the case-insensitive comparison the Hub itself uses.
// Used by the snapshot reader, the graph and the crawler.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace kaieval::lineage {

// The canonical id: surrounding spaces, a "https://huggingface.co/" (or http://, or "hf.co/")
// prefix and trailing slashes removed. nullopt when what is left is not ORG/NAME or NAME made
// of [A-Za-z0-9._-] segments of at most 96 characters each (no "..", no leading or trailing
// '.' or '-').
std::optional<std::string> NormaliseModelId(std::string_view text);

// The organisation (or user) part of an id; "" for a bare NAME.
std::string_view ModelOrg(std::string_view id);

// ASCII case-insensitive equality, as the Hub compares repo ids.
bool SameId(std::string_view a, std::string_view b);

// Lower-case copy (ASCII), the key under which ids are compared.
std::string LowerId(std::string_view id);

}  // namespace kaieval::lineage
