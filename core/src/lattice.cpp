#include "sahelsim/core/lattice.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include "sahelsim/core/parallel.hpp"

namespace sahelsim::core {

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

int neighborhood_reach(const std::vector<RowSpan>& rows) {
  int reach = 0;
  for (const RowSpan& row : rows) reach = std::max({reach, std::abs(row.dy), row.half_width});
  return reach;
}

bool neighborhood_fits(const Lattice& lattice, const std::vector<RowSpan>& rows) {
  if (lattice.topology() == Topology::bounded) return true;
  const int span = 2 * neighborhood_reach(rows) + 1;
  return span <= lattice.width() && span <= lattice.height();
}

}  // namespace sahelsim::core
