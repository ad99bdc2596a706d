// Model's default implementations of the optional raster API (model.hpp).
#include "sahelsim/core/model.hpp"

#include <stdexcept>

namespace sahelsim::core {

std::vector<float> Model::raster_real(const std::string& name) const {
  throw std::invalid_argument("raster '" + name + "' of model " + model_name() +
                              " is not a real (float32) raster: read it with raster()");
}

void Model::save_state(StateWriter& /*out*/) const {
  throw std::logic_error("model " + model_name() + " cannot save checkpoints");
}

void Model::load_state(StateReader& /*in*/) {
  throw std::logic_error("model " + model_name() + " cannot load checkpoints");
}

std::pair<RasterAxis, RasterAxis> Model::raster_axes() const {
  auto indices = [](int count) {
    std::vector<double> values(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
    return values;
  };
  return {RasterAxis{"y", "lattice row", "", indices(raster_height())},
          RasterAxis{"x", "lattice column", "", indices(raster_width())}};
}

}  // namespace sahelsim::core
