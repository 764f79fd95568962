// The seccomp-BPF program every sandboxed child loads just before execve: it refuses network
// sockets, new namespaces, tracing other processes, io_uring, kernel keyrings, mounts and
// module loading. Built by Sandbox in the parent (no allocation after fork).
#pragma once

#include <linux/filter.h>

#include <vector>

namespace kaieval::sandbox {

// The filter's instructions. Denied calls fail with EPERM (sockets other than AF_UNIX with
// EACCES; clone3 with ENOSYS so that libc falls back to clone, whose flags the filter can
// inspect); a foreign architecture or x32 call kills the process. Everything else is allowed.
std::vector<sock_filter> BuildSeccompFilter();

}  // namespace kaieval::sandbox
