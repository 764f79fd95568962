// YamlReader: typed, checked reads from a YAML config, with errors that say
// "<file>:<line>: <field>: <problem>". Used by every config loader (refmodel, contest, stage).
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>

namespace kaieval {

class YamlReader {
 public:
  explicit YamlReader(std::filesystem::path path) : path_(std::move(path)) {}

  // Parses the file; throws InputError for a missing file or invalid YAML (with its line).
  YAML::Node Load(const std::string& what) const;

  [[noreturn]] void Fail(const YAML::Node& node, const std::string& field,
                         const std::string& problem) const;

  int64_t Integer(const YAML::Node& node, const std::string& field, int64_t min,
                  int64_t max) const;
  // A finite number in [min, max]; pass infinite bounds to check only that it is a number.
  double Number(const YAML::Node& node, const std::string& field, double min, double max) const;
  bool Boolean(const YAML::Node& node, const std::string& field) const;
  // A non-empty scalar.
  std::string String(const YAML::Node& node, const std::string& field) const;
  // Fails on a key of the map `node` not in `known`; `node` must be a map.
  void RequireKnownKeys(const YAML::Node& node, const std::string& field,
                        std::initializer_list<const char*> known) const;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace kaieval
