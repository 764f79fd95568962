#include "kaieval/review/panel.h"

#include <fmt/format.h>

#include <set>

#include "kaieval/common/yaml_reader.h"

namespace kaieval::review {
namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

class ReviewReader : public YamlReader {
 public:
  using YamlReader::YamlReader;

  // A field that must be present.
  const YAML::Node Required(const YAML::Node& node, const char* key,
                            const std::string& field) const {
    if (!node[key]) Fail(node, field + "." + key, "missing");
    return node[key];
  }

  std::vector<std::string> StringList(const YAML::Node& node, const std::string& field) const {
    if (!node.IsSequence()) Fail(node, field, "expected a list of strings");
    std::vector<std::string> out;
    for (size_t i = 0; i < node.size(); ++i) {
      out.push_back(String(node[i], fmt::format("{}[{}]", field, i)));
    }
    return out;
  }

  Criterion ReadCriterion(const YAML::Node& node, const std::string& field) const {
    RequireKnownKeys(node, field, {"id", "name", "weight", "anchors"});
    Criterion c;
    c.id = String(Required(node, "id", field), field + ".id");
    c.name = node["name"] ? String(node["name"], field + ".name") : c.id;
    if (node["weight"]) c.weight = Number(node["weight"], field + ".weight", 0, 1e6);
    if (c.weight <= 0) Fail(node["weight"], field + ".weight", "expected a number above 0");
    const YAML::Node anchors = Required(node, "anchors", field);
    if (!anchors.IsMap()) {
      Fail(anchors, field + ".anchors", "expected a map from score (1..10) to its description");
    }
    for (const auto& entry : anchors) {
      int score = static_cast<int>(Integer(entry.first, field + ".anchors", kMinScore, kMaxScore));
      std::string where = fmt::format("{}.anchors.{}", field, score);
      if (!c.anchors.emplace(score, String(entry.second, where)).second) {
        Fail(entry.first, where, "duplicate anchor");
      }
    }
    for (int end : {kMinScore, kMaxScore}) {
      if (!c.anchors.count(end)) {
        Fail(anchors, field + ".anchors",
             fmt::format("needs a description for score {} (both ends of the scale)", end));
      }
    }
    return c;
  }

  ReviewPanel ReadPanel(const YAML::Node& node, const std::string& field) const {
    RequireKnownKeys(node, field, {"name", "criteria", "reviews_per_item"});
    ReviewPanel p;
    p.line = node.Mark().line + 1;
    p.name = String(Required(node, "name", field), field + ".name");
    p.reviews_per_item = static_cast<int>(
        Integer(Required(node, "reviews_per_item", field), field + ".reviews_per_item", 1, 100));
    const YAML::Node criteria = Required(node, "criteria", field);
    if (!criteria.IsSequence() || criteria.size() == 0) {
      Fail(criteria, field + ".criteria", "expected a non-empty list of criteria");
    }
    std::set<std::string> ids;
    for (size_t i = 0; i < criteria.size(); ++i) {
      std::string where = fmt::format("{}.criteria[{}]", field, i);
      p.criteria.push_back(ReadCriterion(criteria[i], where));
      if (!ids.insert(p.criteria.back().id).second) {
        Fail(
            criteria[i]["id"], where + ".id",
            fmt::format("duplicate criterion id '{}' in panel '{}'", p.criteria.back().id, p.name));
      }
    }
    return p;
  }

  Reviewer ReadReviewer(const YAML::Node& node, const std::string& field,
                        const std::vector<std::string>& panel_names) const {
    RequireKnownKeys(node, field, {"id", "name", "affiliations", "panels"});
    Reviewer r;
    r.line = node.Mark().line + 1;
    r.id = String(Required(node, "id", field), field + ".id");
    r.name = node["name"] ? String(node["name"], field + ".name") : r.id;
    if (!node["affiliations"]) {
      Fail(node, field + ".affiliations",
           "missing (declare the reviewer's organisations; write [] for none)");
    }
    r.affiliations = StringList(node["affiliations"], field + ".affiliations");
    if (node["panels"]) {
      r.panels = StringList(node["panels"], field + ".panels");
      for (size_t i = 0; i < r.panels.size(); ++i) {
        bool known = false;
        for (const auto& name : panel_names) known = known || name == r.panels[i];
        if (!known) {
          Fail(node["panels"][i], fmt::format("{}.panels[{}]", field, i),
               fmt::format("unknown panel '{}' (expected one of {})", r.panels[i],
                           JoinNames(panel_names)));
        }
      }
    }
    return r;
  }

  ItemKind ReadKind(const YAML::Node& node, const std::string& field) const {
    std::string kind = String(node, field);
    if (kind == "report") return ItemKind::kReport;
    if (kind == "training_log") return ItemKind::kTrainingLog;
    if (kind == "output") return ItemKind::kOutput;
    Fail(node, field, fmt::format("expected report, training_log or output, got '{}'", kind));
  }

  ReviewItem ReadItem(const YAML::Node& node, const std::string& field,
                      const std::vector<std::string>& panel_names) const {
    RequireKnownKeys(node, field, {"id", "team", "panel", "kind", "title", "content"});
    ReviewItem item;
    item.line = node.Mark().line + 1;
    item.id = String(Required(node, "id", field), field + ".id");
    item.team = String(Required(node, "team", field), field + ".team");
    item.panel = String(Required(node, "panel", field), field + ".panel");
    bool known = false;
    for (const auto& name : panel_names) known = known || name == item.panel;
    if (!known) {
      Fail(node["panel"], field + ".panel",
           fmt::format("unknown panel '{}' (expected one of {})", item.panel,
                       JoinNames(panel_names)));
    }
    item.kind = ReadKind(Required(node, "kind", field), field + ".kind");
    item.title = String(Required(node, "title", field), field + ".title");
    if (node["content"]) {
      std::string content = String(node["content"], field + ".content");
      if (content.find("://") == std::string::npos) {
        std::filesystem::path p = content;
        if (p.is_relative()) p = path().parent_path() / p;
        content = p.lexically_normal().string();
      }
      item.content = content;
    }
    return item;
  }

  template <typename T, typename ReadOne>
  std::vector<T> ReadList(const YAML::Node& root, const char* key, bool allow_empty,
                          ReadOne read_one) const {
    std::string field = std::string("review.") + key;
    const YAML::Node list = root[key];
    if (!list) Fail(root, field, "missing");
    if (!list.IsSequence() || (!allow_empty && list.size() == 0)) {
      Fail(list, field, allow_empty ? "expected a list" : "expected a non-empty list");
    }
    std::vector<T> out;
    for (size_t i = 0; i < list.size(); ++i) {
      out.push_back(read_one(list[i], fmt::format("{}[{}]", field, i)));
    }
    return out;
  }

  // Fails on the second of two entries with the same key.
  template <typename T, typename Key>
  void RequireUnique(const YAML::Node& list, const std::vector<T>& entries, const char* list_field,
                     const char* key_field, Key key) const {
    std::set<std::string> seen;
    for (size_t i = 0; i < entries.size(); ++i) {
      const std::string& k = key(entries[i]);
      if (!seen.insert(k).second) {
        Fail(list[i][key_field], fmt::format("review.{}[{}].{}", list_field, i, key_field),
             fmt::format("duplicate {} '{}'", key_field, k));
      }
    }
  }

  ReviewConfig Config(const YAML::Node& root) const {
    if (!root || !root.IsMap()) {
      Fail(root, "review", "expected a map with panels, reviewers and items");
    }
    RequireKnownKeys(root, "review", {"panels", "reviewers", "items"});
    ReviewConfig c;
    c.origin = path();
    c.panels = ReadList<ReviewPanel>(
        root, "panels", false,
        [&](const YAML::Node& n, const std::string& f) { return ReadPanel(n, f); });
    RequireUnique(root["panels"], c.panels, "panels", "name",
                  [](const ReviewPanel& p) -> const std::string& { return p.name; });
    std::vector<std::string> panel_names;
    for (const auto& p : c.panels) panel_names.push_back(p.name);
    c.reviewers = ReadList<Reviewer>(
        root, "reviewers", false,
        [&](const YAML::Node& n, const std::string& f) { return ReadReviewer(n, f, panel_names); });
    RequireUnique(root["reviewers"], c.reviewers, "reviewers", "id",
                  [](const Reviewer& r) -> const std::string& { return r.id; });
    c.items = ReadList<ReviewItem>(
        root, "items", true,
        [&](const YAML::Node& n, const std::string& f) { return ReadItem(n, f, panel_names); });
    RequireUnique(root["items"], c.items, "items", "id",
                  [](const ReviewItem& i) -> const std::string& { return i.id; });
    for (size_t i = 0; i < c.panels.size(); ++i) {
      int serving = 0;
      for (const auto& r : c.reviewers) serving += r.ServesOn(c.panels[i].name) ? 1 : 0;
      if (c.panels[i].reviews_per_item > serving) {
        Fail(root["panels"][i]["reviews_per_item"],
             fmt::format("review.panels[{}].reviews_per_item", i),
             fmt::format("{} reviewers per item, but only {} reviewers serve on panel '{}'",
                         c.panels[i].reviews_per_item, serving, c.panels[i].name));
      }
    }
    return c;
  }
};

}  // namespace

const Criterion* ReviewPanel::FindCriterion(const std::string& id) const {
  for (const auto& c : criteria) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

double ReviewPanel::TotalWeight() const {
  double total = 0;
  for (const auto& c : criteria) total += c.weight;
  return total;
}

bool Reviewer::ServesOn(const std::string& panel) const {
  if (panels.empty()) return true;
  for (const auto& p : panels) {
    if (p == panel) return true;
  }
  return false;
}

const char* ItemKindName(ItemKind kind) {
  switch (kind) {
    case ItemKind::kReport:
      return "report";
    case ItemKind::kTrainingLog:
      return "training_log";
    case ItemKind::kOutput:
      return "output";
  }
  return "?";
}

const ReviewPanel* ReviewConfig::FindPanel(const std::string& name) const {
  for (const auto& p : panels) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const Reviewer* ReviewConfig::FindReviewer(const std::string& id) const {
  for (const auto& r : reviewers) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

const ReviewItem* ReviewConfig::FindItem(const std::string& id) const {
  for (const auto& i : items) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

std::string ReviewConfig::Where(int line, const std::string& field) const {
  if (line > 0) return fmt::format("{}:{}: {}: ", origin.string(), line, field);
  return fmt::format("{}: {}: ", origin.string(), field);
}

ReviewConfig LoadReviewConfig(const YAML::Node& node, const std::filesystem::path& origin) {
  return ReviewReader(origin).Config(node);
}

}  // namespace kaieval::review
