#include "sahelsim/core/parameters.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <sstream>

namespace sahelsim::core {
namespace {

std::string format_number(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  // Shortest text that reads back as the same double (0.82, not 0.81999999999999995).
  for (int precision = 15; precision <= 17; ++precision) {
    std::ostringstream out;
    out.precision(precision);
    out << x;
    if (std::strtod(out.str().c_str(), nullptr) == x || precision == 17) return out.str();
  }
  return std::to_string(x);
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
  return text;
}

/// Throws the error for a value `shown` that parameter `name` (spec `s`) does not allow.
[[noreturn]] void reject_value(const std::string& name, const ParameterSpec& s, const std::string& shown) {
  throw ParameterError("parameter '" + name + "' = " + shown + " is not allowed: expected " + s.allowed());
}

}  // namespace

std::string kind_name(ParameterKind kind) {
  switch (kind) {
    case ParameterKind::real: return "real";
    case ParameterKind::integer: return "integer";
    case ParameterKind::boolean: return "boolean";
    case ParameterKind::choice: return "choice";
  }
  return "unknown";
}

std::string ParameterSpec::allowed() const {
  switch (kind) {
    case ParameterKind::real:
      return "a real number in [" + format_number(minimum) + ", " + format_number(maximum) + "]";
    case ParameterKind::integer:
      return "an integer in [" + format_number(minimum) + ", " + format_number(maximum) + "]";
    case ParameterKind::boolean: return "true or false";
    case ParameterKind::choice: return "one of: " + join(choices);
  }
  return "";
}

std::string to_string(const ParameterValue& value) {
  struct Visitor {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return format_number(d); }
    std::string operator()(const std::string& s) const { return s; }
  };
  return std::visit(Visitor{}, value);
}

ParameterSet::ParameterSet(const std::vector<ParameterSpec>* specs) : specs_(specs) {
  for (const auto& spec : *specs_) values_[spec.name] = spec.default_value;
}

const ParameterSpec& ParameterSet::spec(const std::string& name) const {
  for (const auto& spec : *specs_)
    if (spec.name == name) return spec;
  std::vector<std::string> names;
  for (const auto& spec : *specs_) names.push_back(spec.name);
  throw ParameterError("unknown parameter '" + name + "'; known parameters: " + join(names));
}

void ParameterSet::set(const std::string& name, const ParameterValue& value) {
  const ParameterSpec& s = spec(name);
  switch (s.kind) {
    case ParameterKind::real: {
      double x;
      if (const auto* d = std::get_if<double>(&value)) x = *d;
      else if (const auto* i = std::get_if<std::int64_t>(&value)) x = static_cast<double>(*i);
      else reject_value(name, s, "'" + to_string(value) + "'");
      if (std::isnan(x) || x < s.minimum || x > s.maximum) reject_value(name, s, format_number(x));
      values_[name] = x;
      return;
    }
    case ParameterKind::integer: {
      std::int64_t v;
      if (const auto* i = std::get_if<std::int64_t>(&value)) v = *i;
      else if (const auto* d = std::get_if<double>(&value)) {
        if (!(std::isfinite(*d) && std::floor(*d) == *d && std::abs(*d) < 9.0e15))
          reject_value(name, s, format_number(*d));
        v = static_cast<std::int64_t>(*d);
      } else reject_value(name, s, "'" + to_string(value) + "'");
      if (static_cast<double>(v) < s.minimum || static_cast<double>(v) > s.maximum)
        reject_value(name, s, std::to_string(v));
      values_[name] = v;
      return;
    }
    case ParameterKind::boolean:
      if (!std::holds_alternative<bool>(value)) reject_value(name, s, "'" + to_string(value) + "'");
      values_[name] = value;
      return;
    case ParameterKind::choice: {
      const auto* text = std::get_if<std::string>(&value);
      if (!text || std::find(s.choices.begin(), s.choices.end(), *text) == s.choices.end())
        reject_value(name, s, "'" + to_string(value) + "'");
      values_[name] = value;
      return;
    }
  }
}

void ParameterSet::set_from_text(const std::string& name, const std::string& text) {
  const ParameterSpec& s = spec(name);
  auto reject = [&] { reject_value(name, s, "'" + text + "'"); };
  switch (s.kind) {
    case ParameterKind::real: {
      if (text == "inf" || text == "infinity") return set(name, std::numeric_limits<double>::infinity());
      char* end = nullptr;
      errno = 0;
      const double x = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size()) reject();
      if (errno == ERANGE && std::isinf(x)) reject();  // "1e999": beyond a double, not infinity
      return set(name, x);
    }
    case ParameterKind::integer: {
      char* end = nullptr;
      errno = 0;
      const long long v = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE) reject();  // ERANGE: beyond 64 bits
      return set(name, static_cast<std::int64_t>(v));
    }
    case ParameterKind::boolean:
      if (text == "true" || text == "1" || text == "yes" || text == "on") return set(name, true);
      if (text == "false" || text == "0" || text == "no" || text == "off") return set(name, false);
      reject();
      return;
    case ParameterKind::choice: return set(name, text);
  }
}

const ParameterValue& ParameterSet::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) spec(name);  // throws with the list of known names
  return it->second;
}

double ParameterSet::real(const std::string& name) const { return std::get<double>(value(name)); }
std::int64_t ParameterSet::integer(const std::string& name) const {
  return std::get<std::int64_t>(value(name));
}
bool ParameterSet::boolean(const std::string& name) const { return std::get<bool>(value(name)); }
const std::string& ParameterSet::choice(const std::string& name) const {
  return std::get<std::string>(value(name));
}

}  // namespace sahelsim::core
