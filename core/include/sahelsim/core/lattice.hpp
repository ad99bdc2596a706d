// A 2-D lattice of cells (torus or bounded) and neighbourhoods described as row spans.
//
// A neighbourhood of radius r is a list of rows (dy, half_width): the cells (x + dx, y + dy) with
// |dx| <= half_width. Counting agents of some kind within a neighbourhood then costs one prefix-sum
// lookup per row, O(r) per agent instead of O(r^2) (see RowPrefixCounts / RowFenwickCounts).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sahelsim::core {

enum class Topology { torus, bounded };
enum class Neighborhood { disc, von_neumann, moore };

Neighborhood parse_neighborhood(const std::string& name);

struct RowSpan {
  int dy;
  int half_width;
};

struct Offset {
  int dx;
  int dy;
};

/// Rows of the neighbourhood of `radius` (including the centre cell). Disc: dx^2 + dy^2 <= r^2
/// (Euclidean, as NetLogo); von Neumann: |dx| + |dy| <= floor(r); Moore: max(|dx|, |dy|) <= floor(r).
std::vector<RowSpan> neighborhood_rows(Neighborhood shape, double radius);
/// Every offset of the neighbourhood except (0, 0), row by row.
std::vector<Offset> neighborhood_offsets(Neighborhood shape, double radius);

class Lattice;

/// The offsets that reach distinct cells other than the centre on `lattice`: on a torus narrower or
/// shorter than the neighbourhood, several offsets wrap onto one cell (or onto the centre), which
/// would make that cell likelier in a uniform draw over offsets. Keeps the first offset per cell.
std::vector<Offset> distinct_offsets(const Lattice& lattice, const std::vector<Offset>& offsets);

class Lattice {
 public:
  Lattice(int width, int height, Topology topology);

  int width() const { return width_; }
  int height() const { return height_; }
  std::int64_t cell_count() const { return static_cast<std::int64_t>(width_) * height_; }
  Topology topology() const { return topology_; }

  std::int64_t cell(int x, int y) const { return static_cast<std::int64_t>(y) * width_ + x; }
  int x_of(std::int64_t cell) const { return static_cast<int>(cell % width_); }
  int y_of(std::int64_t cell) const { return static_cast<int>(cell / width_); }

  /// The cell at (x + dx, y + dy), wrapped on a torus; -1 when it falls off a bounded lattice.
  std::int64_t offset_cell(std::int64_t from, int dx, int dy) const {
    int x = x_of(from) + dx, y = y_of(from) + dy;
    if (topology_ == Topology::torus) {
      x = wrap(x, width_);
      y = wrap(y, height_);
    } else if (x < 0 || x >= width_ || y < 0 || y >= height_) {
      return -1;
    }
    return cell(x, y);
  }

  static int wrap(int v, int n) {
    v %= n;
    return v < 0 ? v + n : v;
  }

 private:
  int width_;
  int height_;
  Topology topology_;
};

/// Per-row prefix sums of a per-cell count, rebuilt once per step (synchronous updates):
/// `sum(center, rows)` gives the number of counted items in the neighbourhood in O(rows).
class RowPrefixCounts {
 public:
  explicit RowPrefixCounts(const Lattice& lattice);

  /// Rebuilds from count_of_cell(cell) -> int, one row per parallel item.
  template <class Executor, class CountOfCell>
  void rebuild(Executor& executor, const CountOfCell& count_of_cell) {
    const int w = lattice_.width();
    executor.for_each(static_cast<std::size_t>(lattice_.height()), 16, [&](std::size_t y) {
      std::int32_t* p = prefix_.data() + y * (w + 1);
      const std::int64_t first = static_cast<std::int64_t>(y) * w;
      p[0] = 0;
      for (int x = 0; x < w; ++x) p[x + 1] = p[x] + static_cast<std::int32_t>(count_of_cell(first + x));
    });
  }

  /// Number of counted items in the cells (x + dx, y + dy), |dx| <= half_width, for each row.
  std::int32_t sum(std::int64_t center, const std::vector<RowSpan>& rows) const;
  /// Items in row y, columns [x0, x1] (inclusive, already clipped to 0..width-1).
  std::int32_t row_range(int y, int x0, int x1) const {
    const std::int32_t* p = prefix_.data() + static_cast<std::int64_t>(y) * (lattice_.width() + 1);
    return p[x1 + 1] - p[x0];
  }
  /// Items in row y at columns x - half .. x + half, wrapped or clipped by the topology.
  std::int32_t row_window(int y, int x, int half) const;

  const Lattice& lattice() const { return lattice_; }
  std::vector<std::int32_t>& raw() { return prefix_; }

 private:
  Lattice lattice_;
  std::vector<std::int32_t> prefix_;  // height rows of (width + 1) entries
};

/// The same queries over counts that change one cell at a time (random sequential activation):
/// one Fenwick tree per row, O(log width) per update and per row query.
class RowFenwickCounts {
 public:
  explicit RowFenwickCounts(const Lattice& lattice);
  void clear();
  void add(std::int64_t cell, std::int32_t delta);
  std::int32_t sum(std::int64_t center, const std::vector<RowSpan>& rows) const;
  std::int32_t row_window(int y, int x, int half) const;

 private:
  std::int32_t prefix(int y, int x_end) const;  // items in row y, columns [0, x_end)
  Lattice lattice_;
  std::vector<std::int32_t> tree_;  // height rows of (width + 1) entries, 1-based per row
};

}  // namespace sahelsim::core
