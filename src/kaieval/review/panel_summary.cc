#include "kaieval/review/panel_summary.h"

#include <fmt/format.h>

#include "kaieval/common/error.h"

namespace kaieval::review {

PanelSummary SummarisePanel(const ReviewConfig& config, const ReviewTotals& totals,
                            const std::string& panel, const RaterFlagOptions& options) {
  if (!config.FindPanel(panel)) {
    throw InputError(fmt::format("{}: review: unknown panel '{}'", config.origin.string(), panel));
  }
  PanelSummary s;
  s.panel = panel;
  s.ratings = PanelRatings(config, totals.complete, panel);
  s.additive = FitAdditiveRaterEffects(s.ratings);
  s.location_scale = StandardiseRaters(s.ratings);
  s.alpha = KrippendorffAlphaInterval(s.ratings);
  s.icc = OneWayIcc(s.ratings);
  s.raters = RaterAgreements(AdjustedRatings(s.ratings, s.additive), options);
  for (const auto& t : totals.incomplete) {
    const ReviewItem* item = config.FindItem(t.item);
    if (item && item->panel == panel) s.incomplete.push_back(t);
  }
  return s;
}

}  // namespace kaieval::review
