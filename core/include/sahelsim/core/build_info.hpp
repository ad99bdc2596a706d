// What built this binary: recorded in every run file so results can be traced.
#pragma once

#include <string>

namespace sahelsim::core {

struct BuildInfo {
  std::string version;
  std::string git_commit;
  std::string compiler;
  std::string tbb_version;
  std::string hdf5_version;
  std::string boost_version;
};

BuildInfo build_info();

}  // namespace sahelsim::core
