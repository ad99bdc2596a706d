// A road network: named nodes (towns, crossings) joined by undirected edges with a length in km.
//
// Nodes and edges are numbered in the order they are added. Shortest paths are deterministic: among
// equally short paths, every node is reached from its lowest-numbered predecessor (then over its
// lowest-numbered edge), whatever the order the edges were added in. Unknown names throw DataError
// with similar names as suggestions (ignoring case, accents, spaces and punctuation, and allowing a
// few typing errors): "unknown town 'Segu'; did you mean: Ségou?".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sahelsim/core/geo/data_error.hpp"

namespace sahelsim::core::geo {

struct RoadEdge {
  int from = 0;
  int to = 0;
  double length_km = 0.0;
  std::int64_t attribute = 0;  // the caller's: a road class, a row number in a table, ...
};

struct RoadPath {
  std::vector<int> nodes;  // from ... to; empty when `to` cannot be reached
  std::vector<int> edges;  // nodes.size() - 1 edges, in travel order
  double length_km = 0.0;
  bool found() const { return !nodes.empty(); }
};

class RoadGraph {
 public:
  /// `node_kind` names nodes in messages ("town" gives "unknown town 'X'").
  explicit RoadGraph(std::string node_kind = "node") : node_kind_(std::move(node_kind)) {}

  /// Adds a node; throws DataError for an empty name or one already used (as a name or an alias).
  int add_node(const std::string& name);
  /// Another name that finds `node` (a spelling without accents, an old name). Throws DataError if
  /// another node already uses it.
  void add_alias(const std::string& alias, int node);
  /// Adds an undirected edge; throws DataError unless length_km is finite and > 0 and the ends
  /// differ. Several edges may join the same two nodes.
  int add_edge(int from, int to, double length_km, std::int64_t attribute = 0);
  int add_edge(const std::string& from, const std::string& to, double length_km,
               std::int64_t attribute = 0);

  int node_count() const { return static_cast<int>(names_.size()); }
  int edge_count() const { return static_cast<int>(edges_.size()); }
  const std::string& node_name(int node) const { return names_.at(node); }
  const RoadEdge& edge(int edge) const { return edges_.at(edge); }
  /// Edges touching `node`, in the order they were added.
  const std::vector<int>& incident_edges(int node) const { return incident_.at(node); }

  /// The node with this name or alias; throws DataError with suggestions if there is none.
  int node(const std::string& name) const;
  /// The same, or -1.
  int find_node(const std::string& name) const;
  /// Up to `limit` node names similar to `name`, the closest first.
  std::vector<std::string> similar_names(const std::string& name, std::size_t limit = 5) const;

  /// Dijkstra; an empty path (found() == false) when the nodes are not connected.
  RoadPath shortest_path(int from, int to) const;
  RoadPath shortest_path(const std::string& from, const std::string& to) const;
  /// For each node, the number of its connected component; components are numbered 0, 1, ... in
  /// the order of their lowest-numbered node.
  std::vector<int> components() const;
  /// The nodes connected to `from` (itself included), in increasing order.
  std::vector<int> reachable(int from) const;
  std::vector<int> reachable(const std::string& from) const;

 private:
  void require_node(int node) const;
  int other_end(int edge, int node) const {
    return edges_[edge].from == node ? edges_[edge].to : edges_[edge].from;
  }

  std::string node_kind_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, int> node_by_name_;  // names and aliases
  std::vector<RoadEdge> edges_;
  std::vector<std::vector<int>> incident_;
};

}  // namespace sahelsim::core::geo
