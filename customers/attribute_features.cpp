#include "customers/attribute_features.hpp"

#include <cmath>
#include <optional>

#include "common/errors.hpp"
#include "common/named_columns.hpp"
#include "common/number_text.hpp"
#include "customers/customer_join.hpp"

namespace kseg {
namespace {

// Where a feature's values come from in /customers: a quantity column, or a categorical
// column's label (the label's code in this file; −1 when this file has no such label).
struct AttributeSource {
  std::size_t column = 0;
  bool indicator = false;
  double code = -1;
};

std::optional<AttributeSource> source_of(const std::string& feature, const AttributeColumns& a) {
  if (const std::optional<std::size_t> column = find_column(a.names, feature))
    if (a.labels[*column].empty()) return AttributeSource{*column, false, 0};
  const std::size_t separator = feature.find(kLabelSeparator);
  if (separator == std::string::npos) return std::nullopt;
  const std::optional<std::size_t> column = find_column(a.names, feature.substr(0, separator));
  if (!column || a.labels[*column].empty()) return std::nullopt;
  const std::optional<std::size_t> code = find_column(a.labels[*column], feature.substr(separator + 1));
  return AttributeSource{*column, true, code ? static_cast<double>(*code) : -1.0};
}

// Every attribute value of each of `ids`, in their order (row-major, one row per id): the row
// of /customers with that id, or unknown values (NaN, code −1) where there is none. The join
// meets both at the id's owner rank; the values travel back to the rank that asked.
std::vector<double> attribute_rows(const std::vector<int64_t>& ids, const AttributeColumns& a,
                                   const std::string& table_name, const Communicator& comm) {
  const std::size_t width = a.names.size();
  KeyedRows asking{table_name, 2, ids, std::vector<double>(ids.size() * 2)};
  for (std::size_t i = 0; i < ids.size(); ++i) {
    asking.values[2 * i] = comm.rank();
    asking.values[2 * i + 1] = static_cast<double>(i);
  }
  std::vector<std::vector<double>> outbox(comm.size());
  join_by_customer(asking, a.rows, comm, [&](int64_t, const double* left, const double* right) {
    if (!left) return;
    std::vector<double>& box = outbox[static_cast<std::size_t>(left[0])];
    box.push_back(left[1]);
    for (std::size_t c = 0; c < width; ++c) box.push_back(right ? right[c] : a.labels[c].empty() ? NAN : -1.0);
  });
  std::vector<double> send;
  std::vector<int64_t> counts;
  for (const std::vector<double>& box : outbox) {
    send.insert(send.end(), box.begin(), box.end());
    counts.push_back(static_cast<int64_t>(box.size()));
  }
  const std::vector<double> received = comm.all_to_all(send, counts);
  std::vector<double> rows(ids.size() * width);
  for (std::size_t at = 0; at < received.size(); at += width + 1)
    std::copy_n(&received[at + 1], width, &rows[static_cast<std::size_t>(received[at]) * width]);
  return rows;
}

// Each model column's weight (1 unless named): `weights` parsed and checked against the model's
// features and categorical columns.
std::vector<double> column_weights(const std::vector<std::string>& features, const AttributeColumns* attributes,
                                   const std::vector<std::string>& weights) {
  std::vector<double> weight(features.size(), 1.0);
  for (const std::string& flag : weights) {
    const std::size_t eq = flag.find('=');
    char* end = nullptr;
    const double w = eq == std::string::npos ? NAN : std::strtod(flag.c_str() + eq + 1, &end);
    if (eq == std::string::npos || end == flag.c_str() + eq + 1 || *end != '\0' || !(w > 0) || !std::isfinite(w))
      refuse("--weight '" + flag + "' must look like FEATURE=W with W a positive number, e.g. monetary=2");
    const std::string name = flag.substr(0, eq);
    bool found = false;
    for (std::size_t j = 0; j < features.size(); ++j)
      if (features[j] == name || indicator_block(features[j], attributes) == name) weight[j] = w, found = true;
    if (!found) refuse("--weight '" + flag + "' names a feature the model does not use");
  }
  return weight;
}

}  // namespace

std::string indicator_block(const std::string& feature, const AttributeColumns* attributes) {
  if (!attributes) return "";
  const std::optional<AttributeSource> source = source_of(feature, *attributes);
  return source && source->indicator ? attributes->names[source->column] : "";
}

std::vector<std::string> expand_attribute_features(const std::vector<std::string>& wanted,
                                                   const std::vector<std::string>& table_features,
                                                   const AttributeColumns* attributes) {
  std::vector<std::string> expanded;
  for (const std::string& name : wanted) {
    const std::optional<std::size_t> column = attributes && !find_column(table_features, name)
                                                  ? find_column(attributes->names, name)
                                                  : std::nullopt;
    if (!column || attributes->labels[*column].empty()) {
      expanded.push_back(name);
      continue;
    }
    for (const std::string& label : attributes->labels[*column]) expanded.push_back(name + kLabelSeparator + label);
  }
  return expanded;
}

std::vector<std::string> append_attribute_features(CustomerTable table, const AttributeColumns& attributes,
                                                   const std::vector<std::string>& model_features,
                                                   const Communicator& comm) {
  std::vector<std::pair<std::string, AttributeSource>> added;
  for (const std::string& feature : model_features)
    if (!find_column(table.feature_names, feature))
      if (const std::optional<AttributeSource> source = source_of(feature, attributes)) added.emplace_back(feature, *source);
  std::vector<std::string> warnings;
  if (added.empty()) return warnings;
  const std::vector<double> rows = attribute_rows(table.customer_id, attributes, attributes.rows.name, comm);
  const std::size_t width = attributes.names.size(), d = table.feature_names.size();
  const std::size_t wider = d + added.size();
  const std::size_t n = table.customer_id.size();
  std::vector<float> matrix(n * wider);
  std::vector<int64_t> unseen(width, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::copy_n(&table.matrix[i * d], d, &matrix[i * wider]);
    for (std::size_t a = 0; a < added.size(); ++a) {
      const AttributeSource& s = added[a].second;
      const double v = rows[i * width + s.column];
      matrix[i * wider + d + a] = static_cast<float>(s.indicator ? (v >= 0 && v == s.code ? 1.0 : 0.0) : v);
    }
  }
  std::vector<bool> clustered(width, false);
  for (const auto& [feature, s] : added) clustered[s.column] = clustered[s.column] || s.indicator;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < width; ++c) {
      const double code = rows[i * width + c];
      if (!clustered[c] || code < 0) continue;
      const std::string feature = attributes.names[c] + kLabelSeparator + attributes.labels[c][static_cast<std::size_t>(code)];
      unseen[c] += find_column(model_features, feature) ? 0 : 1;
    }
  comm.sum(unseen.data(), unseen.size());
  for (std::size_t c = 0; c < width; ++c)
    if (unseen[c] > 0)
      warnings.push_back(with_thousands(unseen[c]) + " customers have a " + attributes.names[c] +
                         " label the model was not fitted with: treated as unknown (0 in every " + attributes.names[c] +
                         " indicator)");
  table.matrix = std::move(matrix);
  for (const auto& [feature, s] : added) table.feature_names.push_back(feature);
  return warnings;
}

std::vector<double> feature_divisors(const float* rows, int64_t n, const std::vector<std::string>& names,
                                     const AttributeColumns* attributes, const std::vector<std::string>& weights,
                                     const Communicator& comm) {
  const std::size_t d = names.size();
  std::vector<int64_t> ones(d + 1, 0);
  for (int64_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) ones[j] += rows[i * d + j] == 1.0f;
  ones[d] = n;
  comm.sum(ones.data(), ones.size());
  std::vector<std::string> block(d);
  for (std::size_t j = 0; j < d; ++j) block[j] = indicator_block(names[j], attributes);
  const std::vector<double> weight = column_weights(names, attributes, weights);
  std::vector<double> divisor(d, 1.0);
  for (std::size_t j = 0; j < d; ++j) {
    if (!block[j].empty()) {
      double variance = 0;
      for (std::size_t l = 0; l < d; ++l) {
        const double p = ones[d] > 0 ? static_cast<double>(ones[l]) / static_cast<double>(ones[d]) : 0.0;
        if (block[l] == block[j]) variance += p * (1 - p);
      }
      divisor[j] = variance > 0 ? std::sqrt(variance) : 1.0;
    }
    divisor[j] /= std::sqrt(weight[j]);
  }
  return divisor;
}

}  // namespace kseg
