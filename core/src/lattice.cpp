#include "sahelsim/core/lattice.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "sahelsim/core/parallel.hpp"

namespace sahelsim::core {
namespace {

/// Sum of row_window over the neighbourhood's rows. On a torus smaller than the neighbourhood,
/// rows would wrap onto themselves: then each distinct row is counted once, with its widest span.
template <class RowWindow>
std::int32_t sum_over_rows(const Lattice& lattice, std::int64_t center,
                           const std::vector<RowSpan>& rows, const RowWindow& row_window) {
  const int x = lattice.x_of(center), y = lattice.y_of(center);
  std::int32_t total = 0;
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

/// Items in row y at columns x - half .. x + half, wrapped (torus) or clipped (bounded), from
/// range(y, x0, x1) over inclusive, in-bounds column ranges.
template <class Range>
std::int32_t window_in_row(const Lattice& lattice, int y, int x, int half, const Range& range) {
  const int w = lattice.width();
  if (lattice.topology() == Topology::bounded) {
    if (y < 0 || y >= lattice.height()) return 0;
    return range(y, std::max(0, x - half), std::min(w - 1, x + half));
  }
  y = Lattice::wrap(y, lattice.height());
  if (2 * half + 1 >= w) return range(y, 0, w - 1);
  const int x0 = x - half, x1 = x + half;
  if (x0 < 0) return range(y, x0 + w, w - 1) + range(y, 0, x1);
  if (x1 >= w) return range(y, x0, w - 1) + range(y, 0, x1 - w);
  return range(y, x0, x1);
}

}  // namespace

Neighborhood parse_neighborhood(const std::string& name) {
  if (name == "disc") return Neighborhood::disc;
  if (name == "von_neumann") return Neighborhood::von_neumann;
  if (name == "moore") return Neighborhood::moore;
  throw std::invalid_argument("neighborhood = '" + name +
                              "' is not allowed: expected one of: disc, von_neumann, moore");
}

std::vector<RowSpan> neighborhood_rows(Neighborhood shape, double radius) {
  if (!(radius >= 0.0) || !std::isfinite(radius))
    throw std::invalid_argument("neighbourhood radius must be a finite number >= 0");
  const int r = static_cast<int>(std::floor(radius));
  std::vector<RowSpan> rows;
  for (int dy = -r; dy <= r; ++dy) {
    int half = 0;
    switch (shape) {
      case Neighborhood::disc:
        // Largest dx with dx^2 + dy^2 <= radius^2; integer arithmetic avoids rounding at the rim.
        half = static_cast<int>(std::floor(std::sqrt(radius * radius - double(dy) * dy)));
        while (double(half + 1) * (half + 1) + double(dy) * dy <= radius * radius) ++half;
        while (half > 0 && double(half) * half + double(dy) * dy > radius * radius) --half;
        break;
      case Neighborhood::von_neumann: half = r - std::abs(dy); break;
      case Neighborhood::moore: half = r; break;
    }
    rows.push_back({dy, half});
  }
  return rows;
}

std::vector<Offset> neighborhood_offsets(Neighborhood shape, double radius) {
  std::vector<Offset> offsets;
  for (const RowSpan& row : neighborhood_rows(shape, radius))
    for (int dx = -row.half_width; dx <= row.half_width; ++dx)
      if (dx != 0 || row.dy != 0) offsets.push_back({dx, row.dy});
  return offsets;
}

std::vector<Offset> distinct_offsets(const Lattice& lattice, const std::vector<Offset>& offsets) {
  if (lattice.topology() == Topology::bounded) return offsets;
  std::vector<Offset> kept;
  std::vector<bool> seen(static_cast<std::size_t>(lattice.cell_count()), false);
  seen[0] = true;  // the centre, taken at cell (0, 0)
  for (const Offset& o : offsets) {
    const std::int64_t cell = lattice.offset_cell(0, o.dx, o.dy);
    if (seen[static_cast<std::size_t>(cell)]) continue;
    seen[static_cast<std::size_t>(cell)] = true;
    kept.push_back(o);
  }
  return kept;
}

Lattice::Lattice(int width, int height, Topology topology)
    : width_(width), height_(height), topology_(topology) {
  if (width < 1 || height < 1 || static_cast<std::int64_t>(width) * height > (1LL << 31))
    throw std::invalid_argument("lattice size " + std::to_string(width) + "x" +
                                std::to_string(height) +
                                " is not allowed: width and height >= 1, at most 2^31 cells");
}

// ---- RowPrefixCounts ----

RowPrefixCounts::RowPrefixCounts(const Lattice& lattice)
    : lattice_(lattice), prefix_(static_cast<std::size_t>(lattice.height()) * (lattice.width() + 1), 0) {}

std::int32_t RowPrefixCounts::row_window(int y, int x, int half) const {
  return window_in_row(lattice_, y, x, half,
                       [this](int yy, int x0, int x1) { return row_range(yy, x0, x1); });
}

std::int32_t RowPrefixCounts::sum(std::int64_t center, const std::vector<RowSpan>& rows) const {
  return sum_over_rows(lattice_, center, rows,
                       [this](int y, int x, int half) { return row_window(y, x, half); });
}

// ---- RowFenwickCounts ----

RowFenwickCounts::RowFenwickCounts(const Lattice& lattice)
    : lattice_(lattice), tree_(static_cast<std::size_t>(lattice.height()) * (lattice.width() + 1), 0) {}

void RowFenwickCounts::clear() { std::fill(tree_.begin(), tree_.end(), 0); }

void RowFenwickCounts::add(std::int64_t cell, std::int32_t delta) {
  const int w = lattice_.width();
  std::int32_t* row = tree_.data() + static_cast<std::int64_t>(lattice_.y_of(cell)) * (w + 1);
  for (int i = lattice_.x_of(cell) + 1; i <= w; i += i & -i) row[i] += delta;
}

std::int32_t RowFenwickCounts::prefix(int y, int x_end) const {
  const std::int32_t* row = tree_.data() + static_cast<std::int64_t>(y) * (lattice_.width() + 1);
  std::int32_t s = 0;
  for (int i = x_end; i > 0; i -= i & -i) s += row[i];
  return s;
}

std::int32_t RowFenwickCounts::row_window(int y, int x, int half) const {
  return window_in_row(lattice_, y, x, half, [this](int yy, int x0, int x1) {
    return prefix(yy, x1 + 1) - prefix(yy, x0);
  });
}

std::int32_t RowFenwickCounts::sum(std::int64_t center, const std::vector<RowSpan>& rows) const {
  return sum_over_rows(lattice_, center, rows,
                       [this](int y, int x, int half) { return row_window(y, x, half); });
}

}  // namespace sahelsim::core
