// Where a file that is built under a temporary name and renamed over its path (run files,
// checkpoints) may be written (run_file.cpp, checkpoint.cpp).
#pragma once

#include <sys/types.h>

#include <string>

namespace sahelsim::core {

/// What a file system entry of mode `mode` is, for messages: "a directory", "a character device",
/// "a block device", "a named pipe", "a socket", or "not a regular file".
std::string kind_of_entry(mode_t mode);

/// The file that writing `path` replaces. Renaming over a path replaces whatever is there: so `path`
/// may name nothing yet or a regular file (replaced), or a symbolic link to a regular file (the file
/// it points to is replaced and the link stays). Anything else there (a directory, a device such as
/// /dev/null, a named pipe, a link to a missing file), and an empty path, are refused with
/// RunFileError("cannot <action> '<path>': ..."), `action` being e.g. "create run file".
std::string replaced_file_target(const std::string& path, const std::string& action);

}  // namespace sahelsim::core
