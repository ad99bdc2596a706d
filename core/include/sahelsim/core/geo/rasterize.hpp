// Polygons and lines onto a GeoGrid, and snapping points to labelled cells.
//
// A cell belongs to a polygon when its centre does (never partial cover): a polygon narrower than a
// cell may cover no cell at all. Inside/outside follows the even-odd rule over the polygon's rings,
// so holes work whatever the ring orientation; several polygons combine as a union. A centre
// exactly on a boundary is inside on the polygon's west and south sides and outside on its east and
// north sides, so two polygons sharing an edge never both claim a cell. Results depend only on the
// inputs (serial, fixed order): rasterising twice gives identical arrays.
#pragma once

#include <cstdint>
#include <vector>

#include "sahelsim/core/geo/geo_grid.hpp"
#include "sahelsim/core/geo/geojson.hpp"

namespace sahelsim::core::geo {

/// 1 for cells whose centre lies in any of the polygons, else 0; one byte per cell (row-major).
/// Scanline per row: O(cells + edges × rows). Throws DataError for non-finite coordinates.
std::vector<std::uint8_t> polygon_mask(const GeoGrid& grid, const std::vector<Polygon>& polygons);

/// For each cell, the index of the first feature (in order) whose polygons contain its centre, or
/// -1. Features' lines are ignored.
std::vector<std::int32_t> label_polygons(const GeoGrid& grid, const std::vector<Feature>& features);

/// 1 for cells whose centre lies within width_km / 2 of a segment of any line, else 0. Distances
/// use a local equirectangular projection at the cell centre (error well below 0.1 % at the widths
/// of roads and rivers). Only cells in each segment's padded bounding box are visited. A line
/// narrower than the cells can miss cells it passes through: for a connected band of cells use
/// width_km >= 1.5 × cell_km. Lines must not cross the antimeridian. Throws DataError for a width
/// that is not a finite positive number or for non-finite coordinates.
std::vector<std::uint8_t> line_cells(const GeoGrid& grid, const std::vector<LineString>& lines,
                                     double width_km);

/// The cell with `label` whose centre is nearest (great-circle) to the point, ties going to the
/// lowest cell index; -1 when no cell has the label. The point may lie outside the grid. Searches
/// square rings of cells outward from the point's cell and stops once no farther ring can be
/// nearer.
/// `labels` has one entry per cell (e.g. from label_polygons); throws std::invalid_argument if not,
/// and DataError for a non-finite point.
std::int64_t nearest_cell_with_label(const GeoGrid& grid, const std::vector<std::int32_t>& labels,
                                     std::int32_t label, double lon, double lat);

}  // namespace sahelsim::core::geo
