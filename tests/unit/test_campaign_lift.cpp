// The campaign statistics against values worked by hand and by scipy 1.10 (scipy.stats.t, norm,
// ttest_ind(equal_var=False)): Student's t, the two-proportion z-test, Welch's t-test, warnings.
#include <gtest/gtest.h>

#include <cmath>

#include "customers/campaign_lift.hpp"

namespace kseg {
namespace {

TEST(CampaignLift, StudentTMatchesScipy) {
  // scipy's t.ppf is good to about 1e-11 here (its own sf at its ppf(0.975, 10) is 0.0500000000018);
  // the quantile kseg finds is checked by its tail probability too.
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.2281388519649385, 1e-10);
  EXPECT_NEAR(student_t_two_sided_p(student_t_quantile(0.975, 10), 10), 0.05, 1e-15);
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706204736432095, 1e-9);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.0422724563012373, 1e-10);
  EXPECT_NEAR(student_t_quantile(0.975, 4.5), 2.6589123472044034, 1e-10);  // fractional df, as Welch gives
  EXPECT_NEAR(student_t_two_sided_p(2, 10), 0.07338803477074039, 1e-14);
  EXPECT_NEAR(student_t_two_sided_p(-0.5, 3.7), 0.645335633319932, 1e-13);
  EXPECT_NEAR(student_t_two_sided_p(5, 200), 1.250198127771539e-06, 1e-17);
  EXPECT_EQ(student_t_two_sided_p(0, 7), 1.0);
  EXPECT_NEAR(normal_two_sided_p(1.96), 0.04999579029644087, 1e-15);
  EXPECT_NEAR(normal_two_sided_p(-3.2), 0.0013742758758316942, 1e-16);
}

// 60 of 200 treated and 40 of 200 control customers converted.
TEST(CampaignLift, ConversionLiftIsTheTwoProportionTest) {
  const CampaignLift f = campaign_lift({200, 60, 75, 0, 0}, {200, 40, 44, 0, 0}, "segment 1");
  EXPECT_DOUBLE_EQ(f.conversion_treated, 0.3);
  EXPECT_DOUBLE_EQ(f.conversion_control, 0.2);
  EXPECT_NEAR(f.conversion_lift, 0.1, 1e-15);
  // Unpooled Wald: 0.1 ± 1.959964 × √(0.3·0.7/200 + 0.2·0.8/200) = 0.1 ± 1.959964 × √0.00185.
  const double half = 1.959963984540054 * std::sqrt(0.00185);
  EXPECT_NEAR(f.conversion_lift_low, 0.1 - half, 1e-14);
  EXPECT_NEAR(f.conversion_lift_high, 0.1 + half, 1e-14);
  // Pooled z = 0.1 / √(0.25·0.75·(2/200)) = 2.3094; scipy's 2·norm.sf(z).
  EXPECT_NEAR(f.conversion_p_value, 0.020921335337794035, 1e-14);
  EXPECT_NEAR(f.conversion_relative_lift, 0.5, 1e-14);
  EXPECT_DOUBLE_EQ(f.orders_per_customer_treated, 0.375);
  EXPECT_DOUBLE_EQ(f.orders_per_customer_control, 0.22);
  EXPECT_TRUE(f.warnings.empty());
}

// Revenues treated {3, 0, 0, 12.5, 7, 0, 1, 4, 0, 9.5}, control {0, 0, 2, 1, 0, 0, 3.5, 0}: their
// sums and sums of squared deviations, as the distributed pass hands them over.
TEST(CampaignLift, RevenueDifferenceIsWelchsTTest) {
  const CampaignLift f = campaign_lift({10, 6, 6, 37.0, 184.6}, {8, 3, 3, 6.5, 11.96875}, "segment 2");
  EXPECT_DOUBLE_EQ(f.revenue_per_customer_treated, 3.7);
  EXPECT_DOUBLE_EQ(f.revenue_per_customer_control, 0.8125);
  EXPECT_NEAR(f.revenue_difference, 2.8875, 1e-14);
  EXPECT_NEAR(f.revenue_degrees_of_freedom, 10.822257691471668, 1e-12);
  EXPECT_NEAR(f.revenue_p_value, 0.08177057105809352, 1e-13);  // ttest_ind(a, b, equal_var=False)
  EXPECT_NEAR(f.revenue_difference_low, -0.43149589612525174, 1e-10);  // scipy's t.ppf: see above
  EXPECT_NEAR(f.revenue_difference_high, 6.2064958961252525, 1e-10);
  EXPECT_NEAR(f.revenue_relative_lift, 2.8875 / 0.8125, 1e-13);
  EXPECT_NEAR(f.incremental_revenue, 28.875, 1e-12);
}

TEST(CampaignLift, SmallGroupsAreWarnedAbout) {
  const CampaignLift f = campaign_lift({1000, 300, 300, 5000, 1e5}, {20, 4, 4, 80, 900}, "segment 3 (lapsed)");
  ASSERT_EQ(f.warnings.size(), 2u);
  EXPECT_EQ(f.warnings[0], "segment 3 (lapsed): only 20 control customers (fewer than 30): too few to tell");
  EXPECT_EQ(f.warnings[1],
            "segment 3 (lapsed): only 4 conversions among the control customers (fewer than 5): the conversion test "
            "is unreliable");
}

TEST(CampaignLift, NoControlGivesUnknownFiguresAndAWarning) {
  const CampaignLift f = campaign_lift({50, 10, 12, 300, 900}, {0, 0, 0, 0, 0}, "segment 4");
  EXPECT_TRUE(std::isnan(f.conversion_lift));
  EXPECT_TRUE(std::isnan(f.conversion_p_value));
  EXPECT_TRUE(std::isnan(f.revenue_difference));
  EXPECT_TRUE(std::isnan(f.revenue_p_value));
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_EQ(f.warnings[0], "segment 4: no control customers, so no lift can be measured");
}

TEST(CampaignLift, EqualGroupsShowNoLift) {
  const CampaignLift f = campaign_lift({400, 80, 90, 2000, 5e4}, {400, 80, 90, 2000, 5e4}, "all segments");
  EXPECT_EQ(f.conversion_lift, 0.0);
  EXPECT_DOUBLE_EQ(f.conversion_p_value, 1.0);
  EXPECT_EQ(f.revenue_difference, 0.0);
  EXPECT_DOUBLE_EQ(f.revenue_p_value, 1.0);
  EXPECT_LT(f.conversion_lift_low, 0.0);
  EXPECT_GT(f.conversion_lift_high, 0.0);
}

}  // namespace
}  // namespace kseg
