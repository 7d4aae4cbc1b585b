#pragma once

#include <cstdint>

#include "customers/engagement_features.hpp"
#include "kernels/transaction_columns.hpp"
#include "synth/synthetic_retailer.hpp"

namespace kseg {

/// Appends the engagement events of customers [first, first + count) to `events`, given their
/// transactions (`lines`, as generate_transactions writes them). Every order comes with a session,
/// a product view, an add-to-cart and a checkout just before it; each customer browses in
/// sessions of their own from a month before their first order (lapsed customers until their last
/// order, the others until the end of the window; bargain hunters most, adding to carts they leave
/// 70% of the time), and gets an email every 14 days from then on, opened with a chance by persona
/// (loyal high spenders 60%, lapsed 3%) and clicked on 30% of the opens. A pure function of
/// (seed, customer id) and the customer's orders.
void generate_events(const RetailerModel& model, int64_t first, int64_t count, const TransactionColumns& lines,
                     EventRows& events);

}  // namespace kseg
