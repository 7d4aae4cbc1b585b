#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/communicator.hpp"
#include "customers/attribute_profiles.hpp"

namespace kseg {

/// What a customer did besides buying (README, "Engagement events").
enum class EventType : int32_t { session, product_view, add_to_cart, checkout, email_sent, email_open, email_click };

/// Event type names in enum order: the labels /events/type may use.
const std::vector<std::string>& event_type_labels();

/// Events of some customers (this rank's rows).
struct EventRows {
  std::vector<int64_t> customer_id, timestamp;  ///< Unix seconds, UTC
  std::vector<EventType> type;
};

/// A customer's purchase times (lines of positive amount), for conversion and cart abandonment.
struct PurchaseTimes {
  std::vector<int64_t> customer_id, timestamp;
};

/// The engagement features per customer, in this order: sessions (count), days since the last
/// session (NaN: never visited), conversion rate (sessions on a day with a purchase / sessions),
/// cart abandonment (add-to-carts with no purchase in the next 24 h / add-to-carts), email open
/// and click rates (opens, clicks / emails sent); a rate without its denominator is NaN.
const std::vector<std::string>& engagement_feature_names();

/// Collective: the engagement features of every customer with an event up to the end of
/// `as_of_day` (days since 1970-01-01), as a table keyed by customer id (on the id's owner rank),
/// ready for append_attribute_features. Events and purchases after the as-of day are left out,
/// so that nothing is read from the future. The same for any number of ranks.
AttributeColumns engagement_features(const EventRows& events, const PurchaseTimes& purchases, int64_t as_of_day,
                                     const std::string& source, const Communicator& comm);

}  // namespace kseg
