#include "kaieval/judge/sandbox/seccomp_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>

namespace kaieval::sandbox {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kAuditArch = AUDIT_ARCH_AARCH64;
#else
#error "the sandbox's seccomp filter knows x86_64 and aarch64; add this architecture's AUDIT_ARCH"
#endif

constexpr uint32_t kNrOffset = offsetof(struct seccomp_data, nr);
constexpr uint32_t kArchOffset = offsetof(struct seccomp_data, arch);
// The low 32 bits of the first argument (little-endian on both architectures).
constexpr uint32_t kArg0Offset = offsetof(struct seccomp_data, args[0]);

constexpr uint32_t kNamespaceFlags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID |
                                     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;

sock_filter Stmt(uint16_t code, uint32_t k) { return BPF_STMT(code, k); }
sock_filter Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf) {
  return BPF_JUMP(code, k, jt, jf);
}
sock_filter Errno(int err) {
  return Stmt(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (static_cast<uint32_t>(err) & SECCOMP_RET_DATA));
}

// Calls a Python test never needs and that widen what a process can reach.
constexpr int kDenied[] = {
    __NR_ptrace,
    __NR_process_vm_readv,
    __NR_process_vm_writev,
    __NR_mount,
    __NR_umount2,
    __NR_pivot_root,
    __NR_chroot,
    __NR_unshare,
    __NR_setns,
    __NR_keyctl,
    __NR_add_key,
    __NR_request_key,
    __NR_bpf,
    __NR_perf_event_open,
    __NR_userfaultfd,
    __NR_io_uring_setup,
    __NR_io_uring_enter,
    __NR_io_uring_register,
    __NR_kexec_load,
    __NR_init_module,
    __NR_finit_module,
    __NR_delete_module,
    __NR_reboot,
    __NR_swapon,
    __NR_swapoff,
    __NR_open_by_handle_at,
    __NR_name_to_handle_at,
    __NR_syslog,
    __NR_acct,
    __NR_quotactl,
    __NR_fsopen,
    __NR_fsmount,
    __NR_fsconfig,
    __NR_fspick,
    __NR_open_tree,
    __NR_move_mount,
    __NR_mount_setattr,
    __NR_vhangup,
    __NR_pidfd_getfd,
#ifdef __NR_kexec_file_load
    __NR_kexec_file_load,
#endif
#ifdef __NR_iopl
    __NR_iopl,
    __NR_ioperm,
#endif
};

}  // namespace

std::vector<sock_filter> BuildSeccompFilter() {
  std::vector<sock_filter> f;
  f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kArchOffset));
  f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0));
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kNrOffset));
#if defined(__x86_64__)
  // x32 calls share the architecture value and have bit 30 set.
  f.push_back(Jump(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1));
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
#endif
  for (int nr : kDenied) {
    f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 1));
    f.push_back(Errno(EPERM));
  }
  f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1));
  f.push_back(Errno(ENOSYS));
  // socket and socketpair: only AF_UNIX (a network namespace has no route anyway; this also
  // closes netlink, packet and vsock sockets).
  for (int nr : {__NR_socket, __NR_socketpair}) {
    f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(nr), 0, 4));
    f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kArg0Offset));
    f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 0, 1));
    f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    f.push_back(Errno(EACCES));
  }
  // clone: plain forks and threads, no new namespaces. (On x86_64 the flags are argument 0.)
  f.push_back(Jump(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 4));
  f.push_back(Stmt(BPF_LD | BPF_W | BPF_ABS, kArg0Offset));
  f.push_back(Jump(BPF_JMP | BPF_JSET | BPF_K, kNamespaceFlags, 0, 1));
  f.push_back(Errno(EPERM));
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  f.push_back(Stmt(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return f;
}

}  // namespace kaieval::sandbox
