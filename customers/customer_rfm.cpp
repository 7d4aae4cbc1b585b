#include "customers/customer_rfm.hpp"

#include <algorithm>
#include <cmath>

namespace kseg {
namespace {

constexpr int kTieBins = 1 << 16;

// Per customer, the 1–5 midrank quintile of one column (higher value, higher score).
std::vector<int8_t> midrank_scores(const RfmInputs& in, std::size_t column, const Communicator& comm) {
  double range[2] = {INFINITY, INFINITY};  // min, −max
  for (int64_t i = 0; i < in.n; ++i) {
    const double v = in.rows[i * in.stride + column];
    range[0] = std::min(range[0], v), range[1] = std::min(range[1], -v);
  }
  comm.min(range, 2);
  const double low = range[0], width = -range[1] - range[0];
  auto bin = [&](double v) { return width > 0 ? std::min(kTieBins - 1, static_cast<int>((v - low) / width * kTieBins)) : 0; };
  std::vector<int64_t> counts(kTieBins, 0);
  for (int64_t i = 0; i < in.n; ++i) counts[bin(in.rows[i * in.stride + column])] += 1;
  comm.sum(counts.data(), counts.size());
  std::vector<int8_t> score_of_bin(kTieBins);
  int64_t below = 0, total = 0;
  for (int64_t c : counts) total += c;
  for (int b = 0; b < kTieBins; ++b) {  // 2·(below + tied/2) · 5 / (2·total), in integers
    score_of_bin[b] = static_cast<int8_t>(1 + std::min<int64_t>(4, (2 * below + counts[b]) * 5 / (2 * std::max<int64_t>(total, 1))));
    below += counts[b];
  }
  std::vector<int8_t> scores(static_cast<std::size_t>(in.n));
  for (int64_t i = 0; i < in.n; ++i) scores[i] = score_of_bin[bin(in.rows[i * in.stride + column])];
  return scores;
}

}  // namespace

const std::vector<RfmClass>& rfm_classes() {
  static const std::vector<RfmClass> classes = {
      {"Champions", "Reward them: early access, loyalty perks, ask for reviews"},
      {"Loyal", "Upsell higher-value products and enrol them in the loyalty programme"},
      {"Potential Loyalist", "Offer membership and recommendations to deepen the habit"},
      {"New", "Onboard them well: welcome series, second-purchase incentive"},
      {"Promising", "Build awareness with free trials and recommendations"},
      {"Need Attention", "Limited-time offers based on their past purchases"},
      {"About to Sleep", "Reconnect with popular products and a reason to come back"},
      {"At Risk", "Send personalised reactivation offers and renewals now"},
      {"Can't Lose Them", "Win them back with personal outreach before a competitor does"},
      {"Hibernating", "Offer relevant products and special discounts, cheaply"},
      {"Lost", "Try one low-cost revival campaign; otherwise spend elsewhere"},
  };
  return classes;
}

std::vector<std::string> rfm_class_labels() {
  std::vector<std::string> labels;
  for (const RfmClass& c : rfm_classes()) labels.emplace_back(c.name);
  return labels;
}

int rfm_class(int r, int f, int m) {
  if (r >= 4 && f >= 4 && m >= 4) return kChampions;
  if (r >= 3 && f >= 4) return kLoyal;
  if (r <= 2 && f >= 4 && m >= 4) return kCantLoseThem;
  if (r <= 2 && f >= 3) return kAtRisk;
  if (r == 5 && f <= 1) return kNew;
  if (r >= 4 && f <= 1) return kPromising;
  if (r >= 4) return kPotentialLoyalist;
  if (r == 3 && f >= 3) return kNeedAttention;
  if (r == 3) return kAboutToSleep;
  if (r == 2) return kHibernating;
  return kLost;
}

CustomerRfm customer_rfm(const RfmInputs& in, const Communicator& comm) {
  CustomerRfm rfm{midrank_scores(in, in.recency, comm), midrank_scores(in, in.frequency, comm),
                  midrank_scores(in, in.monetary, comm), {}};
  for (int8_t& r : rfm.r_score) r = static_cast<int8_t>(6 - r);  // recent is good
  for (int64_t i = 0; i < in.n; ++i) rfm.rfm_class.push_back(rfm_class(rfm.r_score[i], rfm.f_score[i], rfm.m_score[i]));
  return rfm;
}

}  // namespace kseg
