// Tests of core/include/sahelsim/core/geo/road_graph.hpp: Dijkstra (checked against Floyd–Warshall),
// deterministic ties, connectivity, name lookup with suggestions, and input checks.
#include "sahelsim/core/geo/road_graph.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "geo_test_support.hpp"

namespace {

using sahelsim::test::contains;
using sahelsim::test::error_of;

using sahelsim::core::DataError;
using sahelsim::core::geo::RoadGraph;
using sahelsim::core::geo::RoadPath;

RoadGraph graph_with_nodes(const std::vector<std::string>& names, std::string kind = "node") {
  RoadGraph graph(std::move(kind));
  for (const std::string& name : names) graph.add_node(name);
  return graph;
}

// ---- shortest paths ----

TEST(RoadGraph, ShortestPathTakesTheShorterDetour) {
  RoadGraph graph = graph_with_nodes({"Bamako", "Ségou", "Mopti", "Gao"});
  graph.add_edge("Bamako", "Ségou", 235, 10);
  graph.add_edge("Ségou", "Mopti", 400, 11);
  graph.add_edge("Bamako", "Mopti", 700, 12);
  graph.add_edge("Mopti", "Gao", 557, 13);
  const RoadPath path = graph.shortest_path("Bamako", "Gao");
  ASSERT_TRUE(path.found());
  EXPECT_EQ(path.nodes, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(path.edges, (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(path.length_km, 235.0 + 400.0 + 557.0);
  EXPECT_EQ(graph.edge(path.edges[1]).attribute, 11);
}

TEST(RoadGraph, EqualLengthPathsGoThroughTheLowerNumberedNodeWhateverTheEdgeOrder) {
  // A square A-B-D / A-C-D with four equal edges: B (node 1) beats C (node 2).
  RoadGraph graph = graph_with_nodes({"A", "B", "C", "D"});
  graph.add_edge("A", "C", 1);
  graph.add_edge("C", "D", 1);
  graph.add_edge("A", "B", 1);
  graph.add_edge("B", "D", 1);
  EXPECT_EQ(graph.shortest_path("A", "D").nodes, (std::vector<int>{0, 1, 3}));
  EXPECT_EQ(graph.shortest_path("D", "A").nodes, (std::vector<int>{3, 1, 0}));

  // The same square with C numbered before B: now the path goes through C.
  RoadGraph renumbered = graph_with_nodes({"A", "C", "B", "D"});
  renumbered.add_edge("A", "B", 1);
  renumbered.add_edge("B", "D", 1);
  renumbered.add_edge("A", "C", 1);
  renumbered.add_edge("C", "D", 1);
  EXPECT_EQ(renumbered.shortest_path("A", "D").nodes, (std::vector<int>{0, 1, 3}));
}

TEST(RoadGraph, ParallelEdgesUseTheShorterThenTheLowerNumberedOne) {
  RoadGraph graph = graph_with_nodes({"Kayes", "Diboli"});
  graph.add_edge("Kayes", "Diboli", 96);
  graph.add_edge("Kayes", "Diboli", 90);
  graph.add_edge("Kayes", "Diboli", 90);
  const RoadPath path = graph.shortest_path("Diboli", "Kayes");
  EXPECT_EQ(path.edges, (std::vector<int>{1}));
  EXPECT_EQ(path.length_km, 90.0);
}

TEST(RoadGraph, DisconnectedPairGivesAnEmptyPath) {
  RoadGraph graph = graph_with_nodes({"A", "B", "C", "D"});
  graph.add_edge("A", "B", 5);
  graph.add_edge("C", "D", 5);
  const RoadPath path = graph.shortest_path("A", "D");
  EXPECT_FALSE(path.found());
  EXPECT_TRUE(path.edges.empty());
  EXPECT_EQ(path.length_km, 0.0);
}

TEST(RoadGraph, PathFromANodeToItselfIsThatNodeAlone) {
  const RoadGraph graph = graph_with_nodes({"A", "B"});
  const RoadPath path = graph.shortest_path("B", "B");
  EXPECT_EQ(path.nodes, (std::vector<int>{1}));
  EXPECT_TRUE(path.edges.empty());
  EXPECT_EQ(path.length_km, 0.0);
}

TEST(RoadGraph, ShortestDistancesMatchFloydWarshallOnARandomGraph) {
  const int n = 60;
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back("town" + std::to_string(i));
  RoadGraph graph = graph_with_nodes(names);
  const double infinity = std::numeric_limits<double>::infinity();
  std::vector<std::vector<double>> distance(n, std::vector<double>(n, infinity));
  for (int i = 0; i < n; ++i) distance[i][i] = 0.0;
  std::mt19937_64 random(3);
  for (int e = 0; e < 120; ++e) {
    const int a = static_cast<int>(random() % n), b = static_cast<int>(random() % n);
    if (a == b) continue;
    const double km = 1.0 + static_cast<double>(random() % 500);  // integers: sums are exact
    graph.add_edge(a, b, km);
    distance[a][b] = distance[b][a] = std::min(distance[a][b], km);
  }
  for (int k = 0; k < n; ++k)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) distance[i][j] = std::min(distance[i][j], distance[i][k] + distance[k][j]);

  for (int from = 0; from < n; ++from)
    for (int to = 0; to < n; ++to) {
      const RoadPath path = graph.shortest_path(from, to);
      ASSERT_EQ(path.found(), distance[from][to] < infinity) << from << " -> " << to;
      if (!path.found()) continue;
      ASSERT_EQ(path.length_km, distance[from][to]) << from << " -> " << to;
      double sum = 0.0;  // the path is a real walk whose edges add up to its length
      for (std::size_t i = 0; i < path.edges.size(); ++i) {
        const auto& edge = graph.edge(path.edges[i]);
        ASSERT_TRUE((edge.from == path.nodes[i] && edge.to == path.nodes[i + 1]) ||
                    (edge.to == path.nodes[i] && edge.from == path.nodes[i + 1]));
        sum += edge.length_km;
      }
      ASSERT_EQ(sum, path.length_km);
    }
}

TEST(RoadGraph, LargeGridGraphIsSolvedExactly) {
  // Performance sanity (not timed): a 150 x 150 grid of unit roads, corner to corner.
  const int side = 150;
  RoadGraph graph;
  for (int i = 0; i < side * side; ++i) graph.add_node("n" + std::to_string(i));
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      if (x + 1 < side) graph.add_edge(y * side + x, y * side + x + 1, 1.0);
      if (y + 1 < side) graph.add_edge(y * side + x, (y + 1) * side + x, 1.0);
    }
  const RoadPath path = graph.shortest_path(0, side * side - 1);
  EXPECT_EQ(path.length_km, 2.0 * (side - 1));
  EXPECT_EQ(path.nodes.size(), static_cast<std::size_t>(2 * side - 1));
}

// ---- connectivity ----

TEST(RoadGraph, ComponentsAreNumberedInTheOrderOfTheirLowestNode) {
  RoadGraph graph = graph_with_nodes({"A", "B", "C", "D", "E"});
  graph.add_edge("B", "D", 1);
  graph.add_edge("E", "A", 1);
  EXPECT_EQ(graph.components(), (std::vector<int>{0, 1, 2, 1, 0}));
}

TEST(RoadGraph, ReachableListsTheConnectedNodesInIncreasingOrder) {
  RoadGraph graph = graph_with_nodes({"A", "B", "C", "D", "E"});
  graph.add_edge("E", "B", 1);
  graph.add_edge("B", "A", 1);
  EXPECT_EQ(graph.reachable("E"), (std::vector<int>{0, 1, 4}));
  EXPECT_EQ(graph.reachable("C"), (std::vector<int>{2}));
}

// ---- names ----

TEST(RoadGraph, UnknownNameSuggestsAMatchIgnoringAccentsAndCase) {
  const RoadGraph graph = graph_with_nodes({"Bamako", "Ségou", "Sévaré", "Nioro du Sahel"}, "town");
  EXPECT_EQ(error_of([&] { graph.node("segou"); }), "unknown town 'segou'; did you mean: Ségou?");
  EXPECT_TRUE(contains(error_of([&] { graph.node("Nioro-du-sahel"); }), "did you mean: Nioro du Sahel?"));
  EXPECT_TRUE(contains(error_of([&] { graph.shortest_path("Bamko", "Ségou"); }), "did you mean: Bamako?"));
}

TEST(RoadGraph, SimilarNamesAreRankedClosestFirst) {
  const RoadGraph graph = graph_with_nodes({"Sévaré", "Ségou", "Segala", "Kayes"});
  const std::vector<std::string> similar = graph.similar_names("Segou");
  ASSERT_FALSE(similar.empty());
  EXPECT_EQ(similar.front(), "Ségou");
  EXPECT_EQ(std::count(similar.begin(), similar.end(), "Kayes"), 0);
}

TEST(RoadGraph, UnknownNameWithNothingSimilarSaysSo) {
  const RoadGraph graph = graph_with_nodes({"Bamako", "Kayes"}, "town");
  EXPECT_EQ(error_of([&] { graph.node("Ouagadougou"); }), "unknown town 'Ouagadougou' (no town has a similar name)");
  EXPECT_EQ(graph.find_node("Ouagadougou"), -1);
}

TEST(RoadGraph, AliasesFindTheirNodeAndAreSuggestedByTheirNode) {
  RoadGraph graph = graph_with_nodes({"Tombouctou", "Gao"}, "town");
  graph.add_alias("Timbuktu", graph.node("Tombouctou"));
  EXPECT_EQ(graph.node("Timbuktu"), 0);
  EXPECT_TRUE(contains(error_of([&] { graph.node("Timbuctu"); }), "did you mean: Tombouctou?"));
  EXPECT_TRUE(contains(error_of([&] { graph.add_alias("Gao", 0); }), "alias 'Gao' of town 'Tombouctou' is already used"));
  EXPECT_NO_THROW(graph.add_alias("Timbuktu", 0));  // the same alias again is harmless
}

// ---- rejected input ----

TEST(RoadGraph, RejectsADuplicateOrEmptyName) {
  RoadGraph graph = graph_with_nodes({"Kayes"}, "town");
  EXPECT_EQ(error_of([&] { graph.add_node("Kayes"); }), "duplicate town 'Kayes'");
  graph.add_alias("Kayes-Ndi", 0);
  EXPECT_EQ(error_of([&] { graph.add_node("Kayes-Ndi"); }), "town name 'Kayes-Ndi' is already an alias of town 'Kayes'");
  EXPECT_THROW(graph.add_node(""), DataError);
  EXPECT_EQ(graph.node_count(), 1);
}

TEST(RoadGraph, RejectsALengthThatIsNotFiniteAndPositiveNamingTheRoad) {
  RoadGraph graph = graph_with_nodes({"Bamako", "Kati"});
  EXPECT_EQ(error_of([&] { graph.add_edge("Bamako", "Kati", -3); }),
            "road Bamako - Kati: length_km = -3 is not allowed: expected a finite real number > 0");
  EXPECT_THROW(graph.add_edge("Bamako", "Kati", 0), DataError);
  EXPECT_THROW(graph.add_edge("Bamako", "Kati", std::nan("")), DataError);
  EXPECT_THROW(graph.add_edge("Bamako", "Kati", std::numeric_limits<double>::infinity()), DataError);
  EXPECT_EQ(graph.edge_count(), 0);
}

TEST(RoadGraph, RejectsARoadFromANodeToItself) {
  RoadGraph graph = graph_with_nodes({"Bamako"}, "town");
  EXPECT_TRUE(contains(error_of([&] { graph.add_edge("Bamako", "Bamako", 5); }), "two different towns"));
}

TEST(RoadGraph, RejectsAnEdgeToAnUnknownNodeIndex) {
  RoadGraph graph = graph_with_nodes({"A"});
  EXPECT_THROW(graph.add_edge(0, 7, 1.0), std::out_of_range);
  EXPECT_THROW(graph.shortest_path(0, -1), std::out_of_range);
}

}  // namespace
