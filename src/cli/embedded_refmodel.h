// The reference models served in-process on a free loopback port, for commands that run the
// built-in demo campaign or contest (`kaieval demo`, `kaieval serve` with `refmodel:`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kaieval/model/refmodel/refmodel_server.h"

namespace kaieval::cli {

struct EmbeddedRefmodel {
  std::unique_ptr<refmodel::RefmodelServer> server;
  std::string base_url;            // http://127.0.0.1:<port>/v1
  std::vector<std::string> names;  // the served models
  // Hash of the config and its training files: the models' revision, so cached answers of an
  // older corpus or config are never reused.
  std::string revision;
};

// Trains the models of `config_path` and starts serving them; `who` prefixes progress lines.
EmbeddedRefmodel StartEmbeddedRefmodel(const std::string& config_path, const char* who);

}  // namespace kaieval::cli
