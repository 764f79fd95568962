#include "embedded_refmodel.h"

#include <fmt/format.h>

#include <cstdio>

#include "kaieval/common/file.h"
#include "kaieval/common/hash.h"
#include "kaieval/model/refmodel/model_registry.h"
#include "kaieval/model/refmodel/refmodel_config.h"

namespace kaieval::cli {

EmbeddedRefmodel StartEmbeddedRefmodel(const std::string& config_path, const char* who) {
  std::fprintf(stderr, "%s: training the reference models from %s\n", who, config_path.c_str());
  auto config = refmodel::LoadRefmodelConfig(config_path);
  EmbeddedRefmodel out;
  out.revision = ContentHash(ReadFileBytes(config_path));
  for (const auto& m : config.models) {
    for (const auto& f : m.training) out.revision = ContentHash({out.revision, ReadFileBytes(f.string())});
  }
  out.revision.resize(12);
  refmodel::CompletionEngine engine(refmodel::ModelRegistry::Train(config));
  for (const auto& m : engine.models().models()) out.names.push_back(m.name);
  refmodel::ServerOptions server_options;
  server_options.port = 0;
  out.server = std::make_unique<refmodel::RefmodelServer>(std::move(engine), server_options);
  out.base_url = fmt::format("http://127.0.0.1:{}/v1", out.server->Start());
  std::fprintf(stderr, "%s: %zu reference models at %s\n", who, out.names.size(),
               out.base_url.c_str());
  return out;
}

}  // namespace kaieval::cli
