#include "io/report_rfm.hpp"

#include <sstream>

#include "customers/customer_rfm.hpp"
#include "io/detail/report_html_parts.hpp"

namespace kseg {

using namespace html_detail;

bool has_rfm_classes(const RunReport& r) { return !r.profiles.empty() && !r.profiles[0].rfm_classes.empty(); }

JsonObject rfm_json(const RunReport& r) {
  std::vector<JsonObject> segments;
  for (std::size_t s = 0; s < r.profiles.size(); ++s)
    segments.push_back(JsonObject().add("segment", r.profiles[s].segment).add("customers", r.profiles[s].rfm_classes));
  return JsonObject().add("labels", rfm_class_labels()).add("segments", segments);
}

std::string rfm_section(const RunReport& r) {
  if (!has_rfm_classes(r)) return "";
  std::ostringstream html;
  html << "<h2>Segments against classic RFM classes</h2><p class='note'>Each customer's recency, frequency and "
          "monetary value scored 1–5 against all customers (quintiles; tied customers share a score), then classed "
          "by the RFM rule table. Cells: the segment's customers in each class (share of the segment).</p>"
          "<table class='attributes'><tr><th>segment</th>";
  for (const RfmClass& c : rfm_classes()) html << "<th>" << escaped(c.name) << "</th>";
  html << "</tr>";
  for (std::size_t s = 0; s < r.profiles.size(); ++s) {
    const std::vector<int64_t>& row = r.profiles[s].rfm_classes;
    int64_t total = 0;
    for (int64_t c : row) total += c;
    html << "<tr><td style='border-left:6px solid " << colour(r.profiles[s].segment) << "'>" << r.profiles[s].segment
         << " " << escaped(r.profiles[s].name) << "</td>";
    for (int64_t c : row)
      html << "<td>" << with_thousands(c) << " <small>" << percent(total ? double(c) / total : 0.0, 0) << "</small></td>";
    html << "</tr>";
  }
  return html.str() + "</table>";
}

}  // namespace kseg
