#include "sahelsim/core/geo/road_graph.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <queue>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace sahelsim::core::geo {
namespace {

// What is left of a name for loose matching: lower-case ASCII letters and digits, accents of Latin
// letters removed, spaces and punctuation dropped ("Côte d'Ivoire" → "cotedivoire"). Other
// characters are kept as they are.
std::string matching_key(std::string_view name) {
  // U+00C0..U+00FF (UTF-8 C3 80..C3 BF) without accents; ' ' marks × and ÷, which are dropped.
  static constexpr std::string_view latin1_letters =
      "aaaaaaaceeeeiiiidnooooo ouuuuyts"
      "aaaaaaaceeeeiiiidnooooo ouuuuyty";
  std::string key;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    if (byte == 0xC3 && i + 1 < name.size()) {
      const auto next = static_cast<unsigned char>(name[i + 1]);
      if (next >= 0x80 && next <= 0xBF) {
        const char letter = latin1_letters[next - 0x80];
        if (letter != ' ') key += letter;
        ++i;
        continue;
      }
    }
    if (name.substr(i, 3) == "\xE2\x80\x99") {  // ’ (typographic apostrophe)
      i += 2;
      continue;
    }
    const bool kept = (byte >= 'a' && byte <= 'z') || (byte >= '0' && byte <= '9') || byte >= 0x80;
    if (byte >= 'A' && byte <= 'Z') key += static_cast<char>(byte - 'A' + 'a');
    else if (kept) key += name[i];
  }
  return key;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> previous(b.size() + 1), current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// 0 for the same key, 1 when one key starts the other, 1 + edits for a few typing errors;
// -1 when the names are not similar.
int dissimilarity(const std::string& query_key, const std::string& name_key) {
  if (query_key.empty() || name_key.empty()) return -1;
  if (query_key == name_key) return 0;
  const std::size_t shorter = std::min(query_key.size(), name_key.size());
  if (shorter >= 3 && (query_key.compare(0, shorter, name_key, 0, shorter) == 0)) return 1;
  const std::size_t allowed = query_key.size() <= 4 ? 1 : query_key.size() <= 8 ? 2 : 3;
  const std::size_t longer = std::max(query_key.size(), name_key.size());
  if (longer - shorter > allowed) return -1;
  const std::size_t edits = edit_distance(query_key, name_key);
  return edits <= allowed ? 1 + static_cast<int>(edits) : -1;
}

}  // namespace

int RoadGraph::add_node(const std::string& name) {
  if (name.empty()) throw DataError(node_kind_ + " name is empty: expected a non-empty name");
  const auto existing = node_by_name_.find(name);
  if (existing != node_by_name_.end()) {
    const std::string& owner = names_[existing->second];
    throw DataError(owner == name ? "duplicate " + node_kind_ + " " + quoted_value(name)
                                  : node_kind_ + " name " + quoted_value(name) +
                                        " is already an alias of " + node_kind_ + " " +
                                        quoted_value(owner));
  }
  const int node = node_count();
  names_.push_back(name);
  incident_.emplace_back();
  node_by_name_.emplace(name, node);
  return node;
}

void RoadGraph::add_alias(const std::string& alias, int node) {
  require_node(node);
  if (alias.empty()) return;
  const auto existing = node_by_name_.find(alias);
  if (existing == node_by_name_.end()) {
    node_by_name_.emplace(alias, node);
  } else if (existing->second != node) {
    throw DataError("alias " + quoted_value(alias) + " of " + node_kind_ + " " +
                    quoted_value(names_[node]) + " is already used by " + node_kind_ + " " +
                    quoted_value(names_[existing->second]));
  }
}

void RoadGraph::require_node(int node) const {
  if (node < 0 || node >= node_count())
    throw std::out_of_range("RoadGraph: node " + std::to_string(node) + " is outside [0, " +
                            std::to_string(node_count()) + ")");
}

int RoadGraph::add_edge(int from, int to, double length_km, std::int64_t attribute) {
  require_node(from);
  require_node(to);
  const std::string road = "road " + names_[from] + " - " + names_[to];
  if (from == to) throw DataError(road + ": a road must join two different " + node_kind_ + "s");
  if (!(std::isfinite(length_km) && length_km > 0.0))
    throw DataError(road + ": length_km = " + format_real(length_km) +
                    " is not allowed: expected a finite real number > 0");
  const int edge = edge_count();
  edges_.push_back({from, to, length_km, attribute});
  incident_[from].push_back(edge);
  incident_[to].push_back(edge);
  return edge;
}

int RoadGraph::add_edge(const std::string& from, const std::string& to, double length_km,
                        std::int64_t attribute) {
  return add_edge(node(from), node(to), length_km, attribute);
}

int RoadGraph::find_node(const std::string& name) const {
  const auto found = node_by_name_.find(name);
  return found == node_by_name_.end() ? -1 : found->second;
}

int RoadGraph::node(const std::string& name) const {
  const int found = find_node(name);
  if (found >= 0) return found;
  const std::vector<std::string> similar = similar_names(name);
  std::string message = "unknown " + node_kind_ + " " + quoted_value(name);
  if (similar.empty()) {
    message += " (no " + node_kind_ + " has a similar name)";
  } else {
    message += "; did you mean: ";
    for (std::size_t i = 0; i < similar.size(); ++i) message += (i ? ", " : "") + similar[i];
    message += "?";
  }
  throw DataError(message);
}

std::vector<std::string> RoadGraph::similar_names(const std::string& name,
                                                  std::size_t limit) const {
  const std::string query_key = matching_key(name);
  // The best score per node over its name and aliases; node_by_name_ is unordered, but the result
  // is sorted by (score, name), so it does not depend on the hash order.
  std::vector<int> best(names_.size(), -1);
  for (const auto& [spelling, node] : node_by_name_) {
    const int score = dissimilarity(query_key, matching_key(spelling));
    if (score >= 0 && (best[node] < 0 || score < best[node])) best[node] = score;
  }
  std::vector<std::pair<int, std::string>> ranked;
  for (std::size_t node = 0; node < names_.size(); ++node)
    if (best[node] >= 0) ranked.emplace_back(best[node], names_[node]);
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> similar;
  for (std::size_t i = 0; i < ranked.size() && i < limit; ++i) similar.push_back(ranked[i].second);
  return similar;
}

RoadPath RoadGraph::shortest_path(int from, int to) const {
  require_node(from);
  require_node(to);
  const double infinity = std::numeric_limits<double>::infinity();
  std::vector<double> distance(names_.size(), infinity);
  std::vector<int> via_edge(names_.size(), -1);
  std::vector<bool> settled(names_.size(), false);
  // Min-heap on (distance, node): equal distances are settled in node order.
  using Entry = std::pair<double, int>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> frontier;
  distance[from] = 0.0;
  frontier.push({0.0, from});
  while (!frontier.empty()) {
    const auto [d, node] = frontier.top();
    frontier.pop();
    if (settled[node]) continue;
    settled[node] = true;
    if (node == to) break;
    for (const int e : incident_[node]) {
      const int next = other_end(e, node);
      if (settled[next]) continue;  // predecessors only ever point at settled nodes: no cycles
      const double candidate = d + edges_[e].length_km;
      const int previous_edge = via_edge[next];
      const bool shorter = candidate < distance[next];
      // Equal length: prefer the lower-numbered predecessor node, then the lower-numbered edge.
      const int previous_node = previous_edge < 0 ? -1 : other_end(previous_edge, next);
      const bool tie_won = candidate == distance[next] &&
                           (node < previous_node || (node == previous_node && e < previous_edge));
      if (shorter || tie_won) {
        distance[next] = candidate;
        via_edge[next] = e;
        if (shorter) frontier.push({candidate, next});
      }
    }
  }

  RoadPath path;
  if (!settled[to]) return path;
  path.length_km = distance[to];
  for (int node = to; node != from;) {
    const int e = via_edge[node];
    path.nodes.push_back(node);
    path.edges.push_back(e);
    node = other_end(e, node);
  }
  path.nodes.push_back(from);
  std::reverse(path.nodes.begin(), path.nodes.end());
  std::reverse(path.edges.begin(), path.edges.end());
  return path;
}

RoadPath RoadGraph::shortest_path(const std::string& from, const std::string& to) const {
  return shortest_path(node(from), node(to));
}

std::vector<int> RoadGraph::components() const {
  std::vector<int> component(names_.size(), -1);
  int count = 0;
  std::vector<int> stack;
  for (int start = 0; start < node_count(); ++start) {
    if (component[start] >= 0) continue;
    component[start] = count;
    stack.push_back(start);
    while (!stack.empty()) {
      const int node = stack.back();
      stack.pop_back();
      for (const int e : incident_[node]) {
        const int next = other_end(e, node);
        if (component[next] < 0) {
          component[next] = count;
          stack.push_back(next);
        }
      }
    }
    ++count;
  }
  return component;
}

std::vector<int> RoadGraph::reachable(int from) const {
  require_node(from);
  const std::vector<int> component = components();
  std::vector<int> nodes;
  for (int node = 0; node < node_count(); ++node)
    if (component[node] == component[from]) nodes.push_back(node);
  return nodes;
}

std::vector<int> RoadGraph::reachable(const std::string& from) const {
  return reachable(node(from));
}

}  // namespace sahelsim::core::geo
