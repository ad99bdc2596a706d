// A 2-D lattice of cells (torus or bounded) and neighbourhoods described as row spans.
//
// A neighbourhood of radius r is a list of rows (dy, half_width): the cells (x + dx, y + dy) with
// |dx| <= half_width. Counting agents of some kind within a neighbourhood then costs one prefix-sum
// lookup per row, O(r) per agent instead of O(r^2) (see RowPrefixCounts / RowFenwickCounts).
#pragma once

#include <algorithm>
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
    return offset_cell(x_of(from), y_of(from), dx, dy);
  }
  /// The same from the centre's coordinates: loops over a neighbourhood compute them once, and a
  /// coordinate that stays on the lattice costs no division.
  std::int64_t offset_cell(int x, int y, int dx, int dy) const {
    x += dx;
    y += dy;
    if (topology_ == Topology::torus) {
      x = wrap_near(x, width_);
      y = wrap_near(y, height_);
    } else if (x < 0 || x >= width_ || y < 0 || y >= height_) {
      return -1;
    }
    return cell(x, y);
  }

  static int wrap(int v, int n) {
    v %= n;
    return v < 0 ? v + n : v;
  }
  /// wrap(v, n) without a division when v is on the lattice or less than one lattice away.
  /// Branch-free in that case, since near an edge whether an offset crosses it is a coin toss.
  static int wrap_near(int v, int n) {
    const int near = v + (n & -int(v < 0)) - (n & -int(v >= n));
    return static_cast<unsigned>(near) < static_cast<unsigned>(n) ? near : wrap(v, n);
  }

 private:
  int width_;
  int height_;
  Topology topology_;
};

namespace detail {

/// Items in row y at columns x - half .. x + half, wrapped (torus) or clipped (bounded), from
/// range(y, x0, x1) over inclusive, in-bounds column ranges.
template <class Count, class Range>
Count window_in_row(const Lattice& lattice, int y, int x, int half, const Range& range) {
  const int w = lattice.width();
  if (lattice.topology() == Topology::bounded) {
    if (y < 0 || y >= lattice.height()) return Count{};
    return range(y, std::max(0, x - half), std::min(w - 1, x + half));
  }
  y = Lattice::wrap_near(y, lattice.height());
  if (2 * half + 1 >= w) return range(y, 0, w - 1);
  const int x0 = x - half, x1 = x + half;
  if (x0 < 0) return range(y, x0 + w, w - 1) + range(y, 0, x1);
  if (x1 >= w) return range(y, x0, w - 1) + range(y, 0, x1 - w);
  return range(y, x0, x1);
}

/// Sum of row_window over the neighbourhood's rows. On a torus smaller than the neighbourhood,
/// rows would wrap onto themselves: then each distinct row is counted once, with its widest span.
template <class Count, class RowWindow>
Count sum_over_rows(const Lattice& lattice, int x, int y, const std::vector<RowSpan>& rows,
                    const RowWindow& row_window) {
  Count total{};
  if (lattice.topology() == Topology::torus && rows.size() > std::size_t(lattice.height())) {
    std::vector<int> widest(lattice.height(), -1);
    for (const RowSpan& row : rows) {
      int& w = widest[Lattice::wrap(y + row.dy, lattice.height())];
      w = std::max(w, row.half_width);
    }
    for (int yy = 0; yy < lattice.height(); ++yy)
      if (widest[yy] >= 0) total += row_window(yy, x, widest[yy]);
    return total;
  }
  for (const RowSpan& row : rows) total += row_window(y + row.dy, x, row.half_width);
  return total;
}

}  // namespace detail

/// How far a neighbourhood reaches from its centre: the largest |dy| and the largest half width.
int neighborhood_reach(const std::vector<RowSpan>& rows);
/// True when no two sites of the neighbourhood are the same cell (a bounded lattice, or a torus at
/// least 2 * reach + 1 cells wide and high): then its offsets need no distinct_offsets and its rows
/// can be counted with prefix sums site for site.
bool neighborhood_fits(const Lattice& lattice, const std::vector<RowSpan>& rows);

/// Per-row prefix sums of a per-cell count, rebuilt once per step (synchronous updates):
/// `sum(center, rows)` gives the number of counted items in the neighbourhood in O(rows).
/// `Count` may pack several small counts into one integer (e.g. two 32-bit counts in a uint64):
/// prefix sums and differences of packed counts stay exact while each part fits its bits.
template <class Count>
class BasicRowPrefixCounts {
 public:
  explicit BasicRowPrefixCounts(const Lattice& lattice)
      : lattice_(lattice),
        prefix_(static_cast<std::size_t>(lattice.height()) * (static_cast<std::size_t>(lattice.width()) + 1),
                Count{}) {}

  /// Rebuilds from count_of_cell(cell) -> Count, `rows_per_chunk` rows per parallel chunk.
  template <class Executor, class CountOfCell>
  void rebuild(Executor& executor, const CountOfCell& count_of_cell, std::size_t rows_per_chunk = 16) {
    const int w = lattice_.width();
    executor.for_each(static_cast<std::size_t>(lattice_.height()), rows_per_chunk, [&](std::size_t y) {
      Count* p = prefix_.data() + y * (w + 1);
      const std::int64_t first = static_cast<std::int64_t>(y) * w;
      p[0] = Count{};
      for (int x = 0; x < w; ++x) p[x + 1] = p[x] + static_cast<Count>(count_of_cell(first + x));
    });
  }

  /// Number of counted items in the cells (x + dx, y + dy), |dx| <= half_width, for each row.
  Count sum(std::int64_t center, const std::vector<RowSpan>& rows) const {
    return sum_at(lattice_.x_of(center), lattice_.y_of(center), rows);
  }
  /// The same for a centre given by its coordinates.
  Count sum_at(int x, int y, const std::vector<RowSpan>& rows) const {
    return detail::sum_over_rows<Count>(lattice_, x, y, rows,
                                        [this](int yy, int xx, int half) { return row_window(yy, xx, half); });
  }
  /// sum_at for a neighbourhood that lies inside the lattice, so nothing wraps or is clipped: the
  /// caller checks reach <= x < width - reach and reach <= y < height - reach, reach =
  /// neighborhood_reach(rows). One subtraction per row.
  Count sum_inside(int x, int y, const std::vector<RowSpan>& rows) const {
    const std::int64_t stride = lattice_.width() + 1;
    const Count* centre_row = prefix_.data() + static_cast<std::int64_t>(y) * stride + x;
    Count total{};
    for (const RowSpan& row : rows) {
      const Count* p = centre_row + row.dy * stride;
      total += p[row.half_width + 1] - p[-row.half_width];
    }
    return total;
  }
  /// A neighbourhood row as positions in the prefix array relative to the centre's position.
  struct RowSteps {
    std::int64_t low, high;  // sum of the row = prefix[centre + high] - prefix[centre + low]
  };
  std::vector<RowSteps> row_steps(const std::vector<RowSpan>& rows) const {
    const std::int64_t stride = lattice_.width() + 1;
    std::vector<RowSteps> steps;
    for (const RowSpan& row : rows)
      steps.push_back({row.dy * stride - row.half_width, row.dy * stride + row.half_width + 1});
    return steps;
  }
  /// sum_inside with the rows given as row_steps(rows): no multiplication per row.
  Count sum_inside(int x, int y, const std::vector<RowSteps>& steps) const {
    const Count* centre = prefix_.data() + static_cast<std::int64_t>(y) * (lattice_.width() + 1) + x;
    Count total{};
    for (const RowSteps& step : steps) total += centre[step.high] - centre[step.low];
    return total;
  }
  /// Items in row y, columns [x0, x1] (inclusive, already clipped to 0..width-1).
  Count row_range(int y, int x0, int x1) const {
    const Count* p = prefix_.data() + static_cast<std::int64_t>(y) * (lattice_.width() + 1);
    return p[x1 + 1] - p[x0];
  }
  /// Items in row y at columns x - half .. x + half, wrapped or clipped by the topology.
  Count row_window(int y, int x, int half) const {
    return detail::window_in_row<Count>(lattice_, y, x, half,
                                        [this](int yy, int x0, int x1) { return row_range(yy, x0, x1); });
  }

  const Lattice& lattice() const { return lattice_; }
  std::vector<Count>& raw() { return prefix_; }

 private:
  Lattice lattice_;
  std::vector<Count> prefix_;  // height rows of (width + 1) entries
};

using RowPrefixCounts = BasicRowPrefixCounts<std::int32_t>;

/// Wrapped (torus) or clipped (bounded) coordinates, tabulated for `pad` cells beyond each edge:
/// the cell at (x + dx, y + dy), |dx|, |dy| <= pad, is row_base(y + dy) + column(x + dx), with no
/// division and no branch; off a bounded lattice the sum is negative. Equals
/// Lattice::offset_cell(x, y, dx, dy) (which gives -1 off a bounded lattice).
class CoordinateTables {
 public:
  /// Added to a coordinate off a bounded lattice: makes any cell index built from it negative.
  static constexpr std::int64_t off_lattice = -(std::int64_t(1) << 40);

  CoordinateTables(const Lattice& lattice, int pad) : pad_(std::max(0, pad)) {
    const int w = lattice.width(), h = lattice.height();
    const bool torus = lattice.topology() == Topology::torus;
    columns_.resize(std::size_t(w) + 2 * std::size_t(pad_));
    rows_.resize(std::size_t(h) + 2 * std::size_t(pad_));
    for (int x = -pad_; x < w + pad_; ++x)
      columns_[std::size_t(x + pad_)] = torus ? Lattice::wrap(x, w) : x >= 0 && x < w ? x : off_lattice;
    for (int y = -pad_; y < h + pad_; ++y)
      rows_[std::size_t(y + pad_)] =
          torus ? std::int64_t(Lattice::wrap(y, h)) * w : y >= 0 && y < h ? std::int64_t(y) * w : off_lattice;
  }
  int pad() const { return pad_; }
  /// column()[x] for x in [-pad, width + pad): the wrapped column, or a large negative number.
  const std::int64_t* column() const { return columns_.data() + pad_; }
  /// row_base()[y] for y in [-pad, height + pad): the wrapped row's first cell, or a large negative number.
  const std::int64_t* row_base() const { return rows_.data() + pad_; }
  std::int64_t cell(int x, int y) const { return row_base()[y] + column()[x]; }

 private:
  int pad_;
  std::vector<std::int64_t> columns_, rows_;
};

/// BasicRowPrefixCounts with every row extended by `pad` cells on each side and `pad` rows above and
/// below, wrapped across the edges of a torus (zero off a bounded lattice): a neighbourhood within
/// `pad` of its centre sums with one subtraction per row wherever the centre is, without wrapping
/// or clipping. Exact when core::neighborhood_fits(lattice, rows) (no site is reached twice):
/// on a smaller torus use BasicRowPrefixCounts.
template <class Count>
class BasicPaddedRowPrefixCounts {
 public:
  BasicPaddedRowPrefixCounts(const Lattice& lattice, int pad)
      : lattice_(lattice),
        pad_(std::max(0, pad)),
        stride_(std::int64_t(lattice.width()) + 2 * std::int64_t(pad_) + 1),
        prefix_(static_cast<std::size_t>((std::int64_t(lattice.height()) + 2 * pad_) * stride_), Count{}) {}

  int pad() const { return pad_; }
  std::int64_t stride() const { return stride_; }

  /// Rebuilds from count_of_cell(cell) -> Count, `rows_per_chunk` rows per parallel chunk. On a torus
  /// needs pad <= width and 2 pad + 1 <= height (the padding rows are copies of distinct rows).
  template <class Executor, class CountOfCell>
  void rebuild(Executor& executor, const CountOfCell& count_of_cell, std::size_t rows_per_chunk = 16) {
    const int w = lattice_.width(), h = lattice_.height(), pad = pad_;
    const bool torus = lattice_.topology() == Topology::torus;
    executor.for_chunks(static_cast<std::size_t>(h), rows_per_chunk, [&](std::size_t y0, std::size_t y1, std::size_t) {
      for (std::size_t y = y0; y < y1; ++y) {
        Count* p = row(int(y));
        const std::int64_t first = static_cast<std::int64_t>(y) * w;
        Count s{};
        p[0] = s;
        int i = 1;
        if (torus) {
          for (int x = w - pad; x < w; ++x) p[i++] = s = s + static_cast<Count>(count_of_cell(first + x));
        } else {
          for (int x = 0; x < pad; ++x) p[i++] = s;
        }
        for (int x = 0; x < w; ++x) p[i++] = s = s + static_cast<Count>(count_of_cell(first + x));
        if (torus) {
          for (int x = 0; x < pad; ++x) p[i++] = s = s + static_cast<Count>(count_of_cell(first + x));
        } else {
          for (int x = 0; x < pad; ++x) p[i++] = s;
        }
        if (torus) {  // the same row again above the top or below the bottom
          if (int(y) < pad) std::copy(p, p + stride_, row(int(y) + h));
          if (int(y) >= h - pad) std::copy(p, p + stride_, row(int(y) - h));
        }
      }
    });
  }

  /// A neighbourhood row as positions in the prefix array relative to the centre's position.
  struct RowSteps {
    std::int64_t low, high;  // sum of the row = centre[high] - centre[low]
  };
  /// For rows within `pad` of the centre.
  std::vector<RowSteps> row_steps(const std::vector<RowSpan>& rows) const {
    std::vector<RowSteps> steps;
    for (const RowSpan& r : rows) steps.push_back({r.dy * stride_ - r.half_width, r.dy * stride_ + r.half_width + 1});
    return steps;
  }
  /// The prefix entry of cell (x, y), x in [0, width), y in [0, height): the base of row_steps.
  const Count* centre(int x, int y) const {
    return prefix_.data() + (std::int64_t(y) + pad_) * stride_ + pad_ + x;
  }
  /// Counted items in the neighbourhood given by row_steps(rows) around (x, y).
  Count sum(int x, int y, const RowSteps* steps, std::size_t n_steps) const {
    const Count* c = centre(x, y);
    Count total{};
    for (std::size_t r = 0; r < n_steps; ++r) total += c[steps[r].high] - c[steps[r].low];
    return total;
  }
  /// Items in row y at columns x - half .. x + half, wrapped or clipped: y in [-pad, height + pad),
  /// x in [0, width), half <= pad.
  Count row_window(int y, int x, int half) const {
    const Count* p = prefix_.data() + (std::int64_t(y) + pad_) * stride_ + pad_ + x;
    return p[half + 1] - p[-half];
  }
  const Lattice& lattice() const { return lattice_; }

 private:
  Count* row(int y) { return prefix_.data() + (std::int64_t(y) + pad_) * stride_; }

  Lattice lattice_;
  int pad_;
  std::int64_t stride_;
  std::vector<Count> prefix_;  // height + 2 pad rows of (width + 2 pad + 1) entries
};

/// The same queries over counts that change one cell at a time (random sequential activation):
/// one Fenwick tree per row, O(log width) per update and per row query. `Count` may pack several
/// counts, as for BasicRowPrefixCounts: unsigned wrap-around in the trees is harmless as long as
/// every count stays between 0 and its bits' limit.
template <class Count>
class BasicRowFenwickCounts {
 public:
  explicit BasicRowFenwickCounts(const Lattice& lattice)
      : lattice_(lattice),
        tree_(static_cast<std::size_t>(lattice.height()) * (static_cast<std::size_t>(lattice.width()) + 1), Count{}) {}

  void clear() { std::fill(tree_.begin(), tree_.end(), Count{}); }
  void add(std::int64_t cell, Count delta) {
    const int w = lattice_.width();
    Count* row = tree_.data() + static_cast<std::int64_t>(lattice_.y_of(cell)) * (w + 1);
    for (int i = lattice_.x_of(cell) + 1; i <= w; i += i & -i) row[i] += delta;
  }
  Count sum(std::int64_t center, const std::vector<RowSpan>& rows) const {
    return detail::sum_over_rows<Count>(lattice_, lattice_.x_of(center), lattice_.y_of(center), rows,
                                        [this](int y, int x, int half) { return row_window(y, x, half); });
  }
  Count row_window(int y, int x, int half) const {
    return detail::window_in_row<Count>(lattice_, y, x, half, [this](int yy, int x0, int x1) {
      return prefix(yy, x1 + 1) - prefix(yy, x0);
    });
  }

 private:
  Count prefix(int y, int x_end) const {  // items in row y, columns [0, x_end)
    const Count* row = tree_.data() + static_cast<std::int64_t>(y) * (lattice_.width() + 1);
    Count s{};
    for (int i = x_end; i > 0; i -= i & -i) s += row[i];
    return s;
  }
  Lattice lattice_;
  std::vector<Count> tree_;  // height rows of (width + 1) entries, 1-based per row
};

using RowFenwickCounts = BasicRowFenwickCounts<std::int32_t>;

}  // namespace sahelsim::core
