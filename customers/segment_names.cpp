#include "customers/segment_names.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "common/named_columns.hpp"
#include "customers/customer_rfm.hpp"
#include "customers/feature_labels.hpp"

namespace kseg {
namespace {

// What RFM scores cannot see, in the order the rule tries them.
enum Behaviour { kSerialReturners, kNewcomers, kOneTimeBuyers, kBehaviours };

struct BehaviourName {
  RfmClass named;
  const char* feature;  // the feature it is read from
};

const std::array<BehaviourName, kBehaviours>& behaviour_names() {
  static const std::array<BehaviourName, kBehaviours> names = {{
      {{"Serial Returners", "Stop discount pushes; find out why they return (sizing, descriptions) and price returns in"},
       "return_rate"},
      {rfm_classes()[kNew], "tenure_days"},
      {{"One-Time Buyers", "Give them a reason for a second order: a follow-up offer on what they bought"},
       "frequency"},
  }};
  return names;
}

constexpr int kScores = 5;

// Per segment, exact counts: customers per RFM class, per R, F and M score, per behaviour.
struct SegmentMix {
  static constexpr int kWidth = kRfmClasses + 3 * kScores + kBehaviours;
  std::vector<int64_t> counts;  // k × kWidth

  int64_t* row(int s) { return &counts[static_cast<std::size_t>(s) * kWidth]; }
  const int64_t* row(int s) const { return &counts[static_cast<std::size_t>(s) * kWidth]; }
  static int score_column(int letter, int score) { return kRfmClasses + letter * kScores + score - 1; }
  static int behaviour_column(int b) { return kRfmClasses + 3 * kScores + b; }
};

// The behaviour columns of the profiled features (unset: not profiled).
struct BehaviourColumns {
  std::optional<std::size_t> return_rate, tenure_days, frequency;
};

std::array<bool, kBehaviours> behaviours_of(const ProfileInputs& in, const BehaviourColumns& c, int64_t i) {
  auto value = [&](const std::optional<std::size_t>& j) { return in.value(i, static_cast<int>(*j)); };
  return {c.return_rate && value(c.return_rate) >= kSerialReturnRate,
          c.tenure_days && value(c.tenure_days) < in.period_days, c.frequency && value(c.frequency) == 1};
}

SegmentMix segment_mix(const ProfileInputs& in, int k, const Communicator& comm) {
  const BehaviourColumns columns{find_column(in.features, "return_rate"), find_column(in.features, "tenure_days"),
                                 find_column(in.features, "frequency")};
  SegmentMix mix{std::vector<int64_t>(static_cast<std::size_t>(k) * SegmentMix::kWidth, 0)};
  for (int64_t i = 0; i < in.n; ++i) {
    int64_t* row = mix.row(in.segment[i]);
    if (in.rfm) {
      row[in.rfm->rfm_class[i]] += 1;
      const int8_t scores[3] = {in.rfm->r_score[i], in.rfm->f_score[i], in.rfm->m_score[i]};
      for (int letter = 0; letter < 3; ++letter) row[SegmentMix::score_column(letter, scores[letter])] += 1;
    }
    const std::array<bool, kBehaviours> has = behaviours_of(in, columns, i);
    for (int b = 0; b < kBehaviours; ++b) row[SegmentMix::behaviour_column(b)] += has[b];
  }
  comm.sum(mix.counts.data(), mix.counts.size());
  return mix;
}

// The score that half the segment's customers reach or stay below.
int median_score(const int64_t* row, int letter, int64_t customers) {
  int64_t below = 0;
  for (int score = 1; score < kScores; ++score) {
    below += row[SegmentMix::score_column(letter, score)];
    if (2 * below >= customers) return score;
  }
  return kScores;
}

// Names profile p from its row of the mix; returns the feature the name is read from (or "").
std::string name_from_mix(SegmentProfile& p, const int64_t* row, bool with_rfm) {
  p.name = "Segment " + std::to_string(p.segment);
  if (with_rfm) p.rfm_classes.assign(row, row + kRfmClasses);  // every segment's row of the crosstab
  if (p.customers == 0) return "";
  if (with_rfm) {
    p.r_score = median_score(row, 0, p.customers), p.f_score = median_score(row, 1, p.customers);
    p.m_score = median_score(row, 2, p.customers);
  }
  for (int b = 0; b < kBehaviours; ++b)
    if (2 * row[SegmentMix::behaviour_column(b)] > p.customers) {
      p.name = behaviour_names()[b].named.name, p.action = behaviour_names()[b].named.action;
      return behaviour_names()[b].feature;
    }
  if (!with_rfm) return "";
  const int plurality = static_cast<int>(std::max_element(row, row + kRfmClasses) - row);
  p.name = rfm_classes()[plurality].name, p.action = rfm_classes()[plurality].action;
  return "";
}

// Segment s's features, most distinctive first: furthest (in population spreads) from the
// population's mean; ties to the earlier feature.
std::vector<std::size_t> most_distinctive(const FeatureZScores& scores, std::size_t s, std::size_t d) {
  std::vector<std::size_t> order(d);
  for (std::size_t j = 0; j < d; ++j) order[j] = j;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return std::fabs(scores.z[s][a]) > std::fabs(scores.z[s][b]); });
  return order;
}

void tell_equal_names_apart(std::vector<SegmentProfile>& profiles, const std::vector<std::string>& features,
                            const std::vector<std::string>& read_from) {
  const std::size_t d = features.size();
  const FeatureZScores scores = feature_z_scores(profiles, features);
  std::map<std::string, int> uses;
  for (const SegmentProfile& p : profiles) uses[p.name] += 1;
  std::set<std::string> taken;
  for (const SegmentProfile& p : profiles) taken.insert(p.name);
  for (std::size_t s = 0; s < profiles.size(); ++s) {
    SegmentProfile& p = profiles[s];
    if (uses[p.name] < 2) continue;
    std::string name = p.name + " (segment " + std::to_string(p.segment) + ")";
    for (std::size_t j : most_distinctive(scores, s, d)) {
      if (features[j] == read_from[s]) continue;
      const std::string candidate = p.name + " — " + feature_phrase(features[j], p.mean[j] >= scores.population[j]);
      if (!taken.count(candidate)) {
        name = candidate;
        break;
      }
    }
    taken.insert(name);
    p.name = name;
  }
}

}  // namespace

void name_segments(const ProfileInputs& in, std::vector<SegmentProfile>& profiles, const Communicator& comm) {
  const SegmentMix mix = segment_mix(in, static_cast<int>(profiles.size()), comm);
  std::vector<std::string> read_from;
  for (std::size_t s = 0; s < profiles.size(); ++s)
    read_from.push_back(name_from_mix(profiles[s], mix.row(static_cast<int>(s)), in.rfm != nullptr));
  tell_equal_names_apart(profiles, in.features, read_from);
}

}  // namespace kseg
