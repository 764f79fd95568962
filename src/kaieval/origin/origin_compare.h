// Originality evidence: a candidate model's weights against reference models, tensor by tensor
// and component by component, with verdicts against a null baseline. The public entry point of
// the origin subsystem; the CLI (`kaieval origin compare`) and the stage gate call it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kaieval/origin/model_files.h"
#include "kaieval/origin/null_baseline.h"
#include "kaieval/origin/roles.h"
#include "kaieval/origin/tensor_measures.h"
#include "kaieval/origin/vocabulary.h"

namespace kaieval::origin {

struct OriginOptions {
  MeasureOptions measure;
  std::optional<NullBaseline> baseline;  // none: the analytic null, said so in the report
  double derived_z = 6.0;          // a matrix is flagged at z >= this (one-sided p ~ 1e-9)
  double inconclusive_z = 4.0;     // a component's median z at or above this is not "original"
  double derived_fraction = 0.5;   // a component is derived when this share of its matrices is flagged
  double min_compared_fraction = 0.5;  // below this share of parameters a reference is not comparable
  VocabularyThresholds vocabulary;
  int threads = 1;                 // tensor pairs measured in parallel
  bool progress = false;           // a progress bar on stderr
};

// One candidate tensor against its counterpart in one reference.
struct TensorEvidence {
  std::string name, reference_name;
  TensorRole role;
  std::vector<uint64_t> shape;
  uint64_t elements = 0;
  bool vector = false;  // 1-D (norm or bias): reported apart, never evidence on its own
  PairMeasures measures;
  NullScore pearson_score, canonical_score;  // NaN z for vectors / no canonical measure
  double z = 0;          // max of the two z (matrices); NaN for vectors
  bool flagged = false;  // z >= derived_z (matrices only)
};

struct ComponentEvidence {
  std::string component;
  uint64_t parameters = 0;           // the candidate's, all tensors of this component
  uint64_t compared_parameters = 0;  // matrices and vectors with a counterpart
  size_t matrices = 0, flagged = 0, vectors = 0;
  double median_z = 0, max_z = 0;    // over matrices
  double median_pearson = 0, median_canonical = 0, median_cosine = 0;  // over matrices
  double vector_median_cosine = 0, vector_median_pearson = 0;         // norms: shown, not used
  std::string verdict;  // "original", "derived", "inconclusive", "not_compared"
  std::string reason;
};

struct ReferenceEvidence {
  std::string reference;
  std::string verdict;  // "original", "derived", "inconclusive", "not_comparable"
  uint64_t candidate_parameters = 0, compared_parameters = 0;
  double compared_fraction = 0;
  std::vector<ComponentEvidence> components;
  std::vector<TensorEvidence> tensors;  // compared pairs, in the candidate's order
  std::vector<std::string> not_compared;  // "name: reason" for candidate tensors left out
  std::optional<VocabularyComparison> vocabulary;
  nlohmann::json provenance;  // the reference file's own base-model keys (GGUF)
};

struct DerivedFinding {
  std::string component, reference;
  double median_z = 0;
};

struct OriginReport {
  std::string candidate;
  std::string verdict;  // "original", "derived" or "inconclusive"
  std::vector<DerivedFinding> derived;  // every (component, reference) called derived
  std::string null_used;                // "analytic" or "baseline"
  std::string null_description;
  nlohmann::json candidate_provenance;  // GGUF general.base_model.* / general.source.*
  std::vector<std::string> skipped;     // candidate tensors of types kaieval does not read
  std::vector<ReferenceEvidence> references;
  OriginOptions options;
};

// Opens the candidate and each reference (files, folders or sharded checkpoints) and compares.
// Throws InputError for unreadable input.
OriginReport CompareModels(const std::string& candidate_path,
                           const std::vector<std::string>& reference_paths,
                           const OriginOptions& options = {});

// The same on models already open.
ReferenceEvidence CompareWithReference(const Model& candidate, const Model& reference,
                                       const OriginOptions& options);

}  // namespace kaieval::origin
