#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace kseg {

/// The shortest decimal that reads back as exactly `v` ("null" when not finite).
inline std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char text[32];
  const auto end = std::to_chars(text, text + sizeof text, v).ptr;
  return std::string(text, end);
}

/// A JSON object built field by field: --json summaries on stdout and the run's report.json.
class JsonObject {
 public:
  JsonObject& add(const std::string& key, const std::string& value) { return raw(key, quote(value)); }
  JsonObject& add(const std::string& key, const char* value) { return raw(key, quote(value)); }
  JsonObject& add(const std::string& key, bool value) { return raw(key, value ? "true" : "false"); }
  JsonObject& add(const std::string& key, double value) { return raw(key, json_number(value)); }
  JsonObject& add(const std::string& key, int64_t value) { return raw(key, std::to_string(value)); }
  JsonObject& add(const std::string& key, int value) { return raw(key, std::to_string(value)); }
  JsonObject& add(const std::string& key, std::nullptr_t) { return raw(key, "null"); }
  JsonObject& add(const std::string& key, const std::vector<int64_t>& values) {
    return raw(key, list(values, [](int64_t v) { return std::to_string(v); }));
  }
  JsonObject& add(const std::string& key, const std::vector<int32_t>& values) {
    return raw(key, list(values, [](int32_t v) { return std::to_string(v); }));
  }
  JsonObject& add(const std::string& key, const std::vector<double>& values) { return raw(key, list(values, json_number)); }
  JsonObject& add(const std::string& key, const std::vector<std::string>& values) { return raw(key, list(values, quote)); }
  /// A matrix as an array of its rows.
  JsonObject& add(const std::string& key, const std::vector<std::vector<int64_t>>& rows) {
    return raw(key, list(rows, [](const std::vector<int64_t>& row) {
                 return list(row, [](int64_t v) { return std::to_string(v); });
               }));
  }
  JsonObject& add(const std::string& key, const std::vector<std::vector<double>>& rows) {
    return raw(key, list(rows, [](const std::vector<double>& row) { return list(row, json_number); }));
  }
  JsonObject& add(const std::string& key, const JsonObject& nested) { return raw(key, nested.str()); }
  JsonObject& add(const std::string& key, const std::vector<JsonObject>& objects) {
    return raw(key, list(objects, [](const JsonObject& o) { return o.str(); }));
  }

  std::string str() const { return "{" + body_ + "}"; }

 private:
  JsonObject& raw(const std::string& key, const std::string& value) {
    body_ += (body_.empty() ? "" : ",") + quote(key) + ":" + value;
    return *this;
  }
  template <typename T, typename Format>
  static std::string list(const std::vector<T>& values, Format format) {
    std::string text = "[";
    for (std::size_t i = 0; i < values.size(); ++i) text += (i ? "," : "") + format(values[i]);
    return text + "]";
  }
  static std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\', out += c;
      else if (c == '\n') out += "\\n";
      else if (static_cast<unsigned char>(c) < 0x20) out += ' ';
      else out += c;
    }
    return out + "\"";
  }
  std::string body_;
};

}  // namespace kseg
