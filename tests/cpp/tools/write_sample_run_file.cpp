// Writes a small sample run file, for checking by hand that netCDF tools and xarray read what
// RunFileWriter produces:
//
//   write_sample_run_file OUT.h5 [STEPS [DELAY_MS]]
//
// With DELAY_MS > 0 it sleeps that long after each step and flushes, printing "flushed step N"
// (stdout, line-buffered), so a reader can open the file in SWMR mode while it grows.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "sahelsim/core/run_file.hpp"

using sahelsim::core::DataType;
using sahelsim::core::RunFileError;
using sahelsim::core::RunFileWriter;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " OUT.h5 [STEPS [DELAY_MS]]\n";
    return 2;
  }
  const std::string path = argv[1];
  const int steps = argc > 2 ? std::atoi(argv[2]) : 20;
  const int delay_ms = argc > 3 ? std::atoi(argv[3]) : 0;
  const std::size_t height = 6, width = 8;
  const int snapshot_every = 5;

  try {
    RunFileWriter writer(path);
    writer.set_attribute("", "title", "sahelsim sample run file");
    writer.set_attribute("", "legitimacy", 0.82);
    writer.set_attribute("", "seed", std::int64_t{42});

    writer.add_unlimited_dimension("step", "simulation step (0 = initial state)");
    std::vector<double> ys(height), xs(width);
    for (std::size_t i = 0; i < height; ++i) ys[i] = double(i);
    for (std::size_t i = 0; i < width; ++i) xs[i] = double(i);
    writer.add_coordinate("y", ys, "lattice row");
    writer.add_coordinate("x", xs, "lattice column");
    writer.add_unlimited_dimension("snapshot", "step of each snapshot");

    writer.add_variable("quiet", DataType::int64, {"step"}, "number of quiet agents", "1");
    writer.add_variable("active", DataType::int64, {"step"}, "number of active agents", "1");
    writer.add_variable("jailed", DataType::int64, {"step"}, "number of jailed agents", "1");
    writer.add_variable("mean_grievance", DataType::float64, {"step"}, "mean grievance of agents");
    writer.add_variable("state", DataType::uint8, {"snapshot", "y", "x"}, "cell state");
    writer.set_attribute("state", "flag_values", "0 1 2 3");
    writer.set_attribute("state", "flag_meanings", "empty quiet active jailed");
    writer.begin_appending();

    std::vector<std::uint8_t> raster(height * width);
    for (int step = 0; step <= steps; ++step) {
      const std::int64_t active = step % 7, jailed = step / 3, quiet = 40 - active - jailed;
      const double mean_grievance = 0.25 + 0.01 * step;
      writer.append_record("step", step);
      writer.write_record("quiet", &quiet);
      writer.write_record("active", &active);
      writer.write_record("jailed", &jailed);
      writer.write_record("mean_grievance", &mean_grievance);
      if (step % snapshot_every == 0) {
        for (std::size_t i = 0; i < raster.size(); ++i) raster[i] = std::uint8_t((i + std::size_t(step)) % 4);
        writer.append_record("snapshot", step);
        writer.write_record("state", raster.data());
      }
      if (delay_ms > 0) {
        writer.flush();
        std::cout << "flushed step " << step << std::endl;
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      }
    }
    writer.finish({{"finished", "yes"}}, {{"wall_seconds", 0.5}});
  } catch (const RunFileError& error) {
    std::cerr << error.what() << '\n';
    return 1;
  }
  return 0;
}
