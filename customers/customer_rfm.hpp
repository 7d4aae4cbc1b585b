#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"

namespace kseg {

/// One class of the RFM rule table: its name and the action it suggests.
struct RfmClass {
  const char* name;
  const char* action;
};

/// The class codes, in the order of rfm_classes().
enum RfmCode : int32_t { kChampions, kLoyal, kPotentialLoyalist, kNew, kPromising, kNeedAttention, kAboutToSleep,
                         kAtRisk, kCantLoseThem, kHibernating, kLost, kRfmClasses };

/// The classes in code order: Champions, Loyal, Potential Loyalist, New, Promising, Need
/// Attention, About to Sleep, At Risk, Can't Lose Them, Hibernating, Lost.
const std::vector<RfmClass>& rfm_classes();
std::vector<std::string> rfm_class_labels();

/// The class code of 1–5 scores (5 best: recent, frequent, big spenders) by the rule table, first
/// match wins: Champions r,f,m ≥ 4; Loyal r ≥ 3, f ≥ 4; Can't Lose Them r ≤ 2, f,m ≥ 4; At Risk
/// r ≤ 2, f ≥ 3; New r = 5, f ≤ 1; Promising r ≥ 4, f ≤ 1; Potential Loyalist r ≥ 4; Need Attention
/// r = 3, f ≥ 3; About to Sleep r = 3; Hibernating r = 2; else Lost.
int rfm_class(int r, int f, int m);

/// Every customer's RFM scores and class.
struct CustomerRfm {
  std::vector<int8_t> r_score, f_score, m_score;  ///< 1–5
  std::vector<int32_t> rfm_class;                  ///< code into rfm_class_labels()
};

/// Where a rank's customers' recency_days, frequency and monetary are: `n` rows of `stride` values.
struct RfmInputs {
  const float* rows = nullptr;
  int stride = 0;
  std::size_t recency = 0, frequency = 0, monetary = 0;
  int64_t n = 0;
};

/// Collective: per-customer quintile scores of the population (recency reversed) by the midrank
/// rule: score = 1 + ⌊5 · (customers below + half the customers tied) / all⌋, capped at 5, so that
/// tied values share a score and heavily tied ones fall where their middle falls. Values in the
/// same 1/65,536 of a column's global range count as tied (exact integer counts, allreduced: the
/// same for any number of ranks). Then each customer's class by the rule table.
CustomerRfm customer_rfm(const RfmInputs& in, const Communicator& comm);

}  // namespace kseg
