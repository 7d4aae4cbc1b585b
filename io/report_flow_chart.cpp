#include "io/detail/report_html_parts.hpp"

#include <algorithm>
#include <sstream>

namespace kseg::html_detail {
namespace {

/// A node of the flow chart: a segment's stack of customers on one side.
struct FlowNode {
  int32_t id = 0;
  std::string label;
  int64_t customers = 0;
  double top = 0, filled = 0;  ///< pixel top; pixels taken by the bands drawn so far
};

/// Stacks the non-empty nodes top to bottom, `scale` pixels per customer, `gap` pixels apart.
void stack_nodes(std::vector<FlowNode>& nodes, double top, double scale, double gap) {
  double y = top;
  for (FlowNode& n : nodes) {
    n.top = y;
    if (n.customers > 0) y += static_cast<double>(n.customers) * scale + gap;
  }
}

void draw_nodes(std::ostream& svg, const std::vector<FlowNode>& nodes, double x, double width, double scale, bool left) {
  for (const FlowNode& n : nodes) {
    if (n.customers <= 0) continue;
    const double h = static_cast<double>(n.customers) * scale;
    svg << "<rect x='" << px(x) << "' y='" << px(n.top) << "' width='" << px(width) << "' height='" << px(h) << "' fill='"
        << colour(n.id) << "'><title>" << escaped(n.label) << ": " << with_thousands(n.customers)
        << " customers</title></rect><text x='" << px(left ? x - 6 : x + width + 6) << "' y='" << px(n.top + h / 2 + 4)
        << "' font-size='11' text-anchor='" << (left ? "end" : "start") << "'>" << escaped(n.label) << " ("
        << with_thousands(n.customers) << ")</text>";
  }
}

std::string segment_name(const RunReport& r, int32_t id) {
  for (const SegmentProfile& p : r.profiles)
    if (p.segment == id) return p.name;
  return "";
}

std::string previous_name(const QuarterComparison& c, int32_t id) {
  for (std::size_t i = 0; i < c.match.previous_ids.size() && i < c.match.previous_names.size(); ++i)
    if (c.match.previous_ids[i] == id) return c.match.previous_names[i];
  return "";
}

std::string node_label(int32_t id, const std::string& fallback, const std::string& name) {
  return id < 0 ? fallback : name.empty() ? std::to_string(id) : std::to_string(id) + ": " + name;
}

}  // namespace

std::string flow_chart(const RunReport& r, const QuarterComparison& c) {
  const MigrationMatrix& m = c.migration;
  std::vector<FlowNode> from, to;
  for (int32_t id : m.from) from.push_back({id, node_label(id, "new customers", previous_name(c, id)), 0, 0, 0});
  for (int32_t id : m.to) to.push_back({id, node_label(id, "gone customers", segment_name(r, id)), 0, 0, 0});
  int64_t total = 0;
  for (std::size_t i = 0; i < from.size(); ++i)
    for (std::size_t j = 0; j < to.size(); ++j) {
      const int64_t n = std::max<int64_t>(0, migration_cell(m, i, j));
      from[i].customers += n, to[j].customers += n, total += n;
    }
  if (total == 0) return "";
  const auto nonempty = [](const std::vector<FlowNode>& nodes) {
    return std::count_if(nodes.begin(), nodes.end(), [](const FlowNode& n) { return n.customers > 0; });
  };
  const double width = 820, height = 380, top = 10, gap = 10, node = 14, x0 = 230, x1 = width - 230;
  const double scale = (height - 2 * top - gap * static_cast<double>(std::max(nonempty(from), nonempty(to)) - 1)) /
                       static_cast<double>(total);
  stack_nodes(from, top, scale, gap);
  stack_nodes(to, top, scale, gap);
  std::ostringstream svg;
  svg << "<h3>Customer flows</h3><svg class='flow-chart' width='" << px(width) << "' height='" << px(height)
      << "' role='img'>";
  const double a = x0 + node, b = x1, mid = (a + b) / 2;
  for (std::size_t i = 0; i < from.size(); ++i)
    for (std::size_t j = 0; j < to.size(); ++j) {
      const int64_t n = migration_cell(m, i, j);
      if (n <= 0) continue;
      const double t = static_cast<double>(n) * scale, ya = from[i].top + from[i].filled, yb = to[j].top + to[j].filled;
      from[i].filled += t, to[j].filled += t;
      svg << "<path class='band' d='M" << px(a) << " " << px(ya) << " C" << px(mid) << " " << px(ya) << " " << px(mid)
          << " " << px(yb) << " " << px(b) << " " << px(yb) << " L" << px(b) << " " << px(yb + t) << " C" << px(mid) << " "
          << px(yb + t) << " " << px(mid) << " " << px(ya + t) << " " << px(a) << " " << px(ya + t) << " Z' fill='"
          << colour(from[i].id) << "' fill-opacity='0.45'><title>" << escaped(from[i].label) << " → "
          << escaped(to[j].label) << ": " << with_thousands(n) << " customers, revenue "
          << shown(at(m.revenue, i * m.to.size() + j), 2) << "</title></path>";
    }
  draw_nodes(svg, from, x0, node, scale, true);
  draw_nodes(svg, to, x1, node, scale, false);
  return svg.str() + "</svg>";
}

}  // namespace kseg::html_detail
