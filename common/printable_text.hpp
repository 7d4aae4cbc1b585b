#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace kseg {

/// `text` safe to print in a one-line message: control characters and bytes that are not UTF-8
/// are shown as \xNN, so a garbage file's bytes never reach the terminal as they are.
inline std::string printable_text(std::string_view text) {
  std::string out;
  auto escape = [&out](unsigned char byte) {
    char code[5];
    std::snprintf(code, sizeof code, "\\x%02X", byte);
    out += code;
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const std::size_t length = byte < 0x80 ? 1 : (byte >> 5) == 0x6 ? 2 : (byte >> 4) == 0xE ? 3 : (byte >> 3) == 0x1E ? 4 : 0;
    bool valid = length > 0 && i + length <= text.size() && byte != 0xC0 && byte != 0xC1;
    for (std::size_t k = 1; valid && k < length; ++k) valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (!valid || (length == 1 && (byte < 0x20 || byte == 0x7F))) {
      escape(byte);
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace kseg
