#include "replaced_file.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "sahelsim/core/run_file.hpp"

namespace sahelsim::core {
namespace {

std::string quoted(const std::string& text) { return "'" + text + "'"; }

}  // namespace

std::string kind_of_entry(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string replaced_file_target(const std::string& path, const std::string& action) {
  const std::string cannot = "cannot " + action + " " + quoted(path) + ": ";
  if (path.empty()) throw RunFileError(cannot + "the path is empty");
  struct stat entry {};
  if (::lstat(path.c_str(), &entry) != 0 || S_ISREG(entry.st_mode)) return path;  // nothing there, or a file
  if (!S_ISLNK(entry.st_mode))
    throw RunFileError(cannot + "it exists and is " + kind_of_entry(entry.st_mode) + "; only a regular file may be replaced");
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr)
    throw RunFileError(cannot + "it is a symbolic link that cannot be followed (" + std::strerror(errno) + ")");
  const std::string target(resolved);
  std::free(resolved);
  struct stat pointed {};
  if (::stat(target.c_str(), &pointed) == 0 && !S_ISREG(pointed.st_mode))
    throw RunFileError(cannot + "it is a symbolic link to " + quoted(target) + ", which is " +
                       kind_of_entry(pointed.st_mode) + "; only a regular file may be replaced");
  return target;
}

}  // namespace sahelsim::core
