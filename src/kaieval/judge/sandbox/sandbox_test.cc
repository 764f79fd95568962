// Each escape attempt a model-written program might make, run for real in the sandbox.
#include "kaieval/judge/sandbox/sandbox.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "kaieval/common/testing.h"
#include "kaieval/judge/sandbox/unique_fd.h"

namespace kaieval::sandbox {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const Sandbox& Shared() {
  static const Sandbox* sandbox = [] {
    auto* s = new Sandbox(SandboxOptions{.allow_process_only = true});
    std::cout << "[sandbox] isolation active: " << IsolationName(s->isolation()) << std::endl;
    return s;
  }();
  return *sandbox;
}

bool Namespaces() { return Shared().isolation() == Isolation::kNamespaces; }

RunResult RunPython(const std::string& source, Limits limits = {}) {
  RunResult r = Shared().Run(PythonProgram(source, limits));
  ::testing::Test::RecordProperty("isolation", std::string(IsolationName(r.isolation)));
  return r;
}

std::string Marker() {
  std::random_device rd;
  return "kaieval-sandbox-marker-" + std::to_string(rd()) + std::to_string(rd());
}

// Host processes whose command line holds `marker` (a sandboxed program left running).
int ProcessesWith(const std::string& marker) {
  int found = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(marker) != std::string::npos) ++found;
  }
  return found;
}

// Waits up to a second for the kernel to finish tearing down a killed namespace.
int ProcessesLeft(const std::string& marker) {
  for (int i = 0; i < 20; ++i) {
    if (ProcessesWith(marker) == 0) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return ProcessesWith(marker);
}

TEST(Sandbox, ReportsWhichIsolationIsActive) {
  std::cout << "isolation: " << IsolationName(Shared().isolation()) << std::endl;
  RecordProperty("isolation", std::string(IsolationName(Shared().isolation())));
  EXPECT_EQ(RunPython("pass").isolation, Shared().isolation());
}

TEST(Sandbox, ANormalProgramsOutputAndExitStatusComeBack) {
  RunResult r = RunPython(
      "import sys\nprint('안녕하세요', 6 * 7)\nsys.stderr.write('warn\\n')\nsys.exit(3)\n");
  EXPECT_EQ(r.termination, Termination::kExited);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.stdout_text, "안녕하세요 42\n");
  EXPECT_EQ(r.stderr_text, "warn\n");
  EXPECT_FALSE(r.succeeded());
  RunResult ok = RunPython("print('ok')");
  EXPECT_TRUE(ok.succeeded());
  EXPECT_EQ(ok.stdout_text, "ok\n");
  EXPECT_GT(ok.wall_seconds, 0);
}

TEST(Sandbox, AnUncaughtExceptionIsAFailureWithItsTraceback) {
  RunResult r = RunPython("assert 1 + 1 == 3, 'arithmetic'\n");
  EXPECT_EQ(r.termination, Termination::kExited);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.stderr_text, HasSubstr("AssertionError: arithmetic"));
}

TEST(Sandbox, CannotOpenANetworkConnection) {
  // A listener on the evaluator's loopback: the program must not reach it.
  UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  ASSERT_TRUE(listener.valid());
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener.get(), 4), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len), 0);
  int port = ntohs(addr.sin_port);

  RunResult r = RunPython(
      "import socket\n"
      "for family, target in [(socket.AF_INET, ('127.0.0.1', " +
      std::to_string(port) +
      ")),\n"
      "                       (socket.AF_INET6, ('::1', " +
      std::to_string(port) +
      ")),\n"
      "                       (socket.AF_INET, ('8.8.8.8', 53))]:\n"
      "    try:\n"
      "        s = socket.socket(family, socket.SOCK_STREAM)\n"
      "        s.settimeout(2)\n"
      "        s.connect(target)\n"
      "        print('CONNECTED', target)\n"
      "    except OSError as e:\n"
      "        print('blocked', e.errno)\n"
      "a, b = socket.socketpair()\n"  // local IPC stays possible
      "a.sendall(b'x'); print('unix', b.recv(1))\n");
  ASSERT_TRUE(r.succeeded()) << r.stderr_text;
  EXPECT_THAT(r.stdout_text, Not(HasSubstr("CONNECTED")));
  EXPECT_THAT(r.stdout_text, HasSubstr("blocked"));
  EXPECT_THAT(r.stdout_text, HasSubstr("unix b'x'"));
  sockaddr_in peer{};
  len = sizeof peer;
  UniqueFd accepted(::accept(listener.get(), reinterpret_cast<sockaddr*>(&peer), &len));
  EXPECT_FALSE(accepted.valid()) << "the listener saw a connection from the sandbox";
}

TEST(Sandbox, HasNoNetworkInterfaceButADownLoopback) {
  if (!Namespaces()) GTEST_SKIP() << "isolation is process_only: no network namespace";
  RunResult r = RunPython(
      "names = [l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]]\n"
      "print(sorted(names))\n");
  ASSERT_TRUE(r.succeeded()) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "['lo']\n");
}

TEST(Sandbox, CannotWriteOutsideItsFolder) {
  if (!Namespaces()) GTEST_SKIP() << "isolation is process_only: only file permissions protect";
  // World-writable folders outside the temporary folder, so that only the read-only mount can
  // stop the write (EROFS, 30): /var/tmp itself, a 0777 folder in it, and /dev/shm.
  std::string marker = Marker();
  fs::path open_dir = fs::path("/var/tmp") / marker;
  fs::create_directories(open_dir);
  ::chmod(open_dir.c_str(), 0777);
  std::vector<fs::path> targets = {open_dir / "escaped.txt",
                                   fs::path("/var/tmp") / (marker + ".txt"),
                                   fs::path("/dev/shm") / marker};
  RunResult r = RunPython(
      "import errno, os\n"
      "for path in ['" +
      targets[0].string() + "', '" + targets[1].string() + "', '" + targets[2].string() +
      "']:\n"
      "    try:\n"
      "        with open(path, 'w') as f: f.write('x')\n"
      "        print('WROTE', path)\n"
      "    except OSError as e:\n"
      "        print('refused', errno.errorcode[e.errno])\n"
      "for path in ['../" +
      marker + "', os.path.expanduser('~') + '/../x', '/tmp/" + marker +
      "']:\n"
      "    try:\n"
      "        open(path, 'w').write('x')\n"
      "        print('WROTE', path)\n"
      "    except OSError as e:\n"
      "        print('refused', errno.errorcode[e.errno])\n"
      "with open('inside.txt', 'w') as f: f.write('fine')\n"
      "os.mkdir('sub'); open('sub/x', 'w').write('y')\n"
      "print(open('inside.txt').read())\n");
  bool leaked = false;
  for (const auto& t : targets) leaked = leaked || fs::exists(t);
  fs::remove_all(open_dir);
  for (const auto& t : targets) fs::remove(t);
  ASSERT_TRUE(r.succeeded()) << r.stderr_text;
  EXPECT_EQ(r.stdout_text,
            "refused EROFS\nrefused EROFS\nrefused EROFS\n"
            "refused EROFS\nrefused EROFS\nrefused EROFS\nfine\n");
  EXPECT_FALSE(leaked) << "a file appeared outside the working folder";
}

TEST(Sandbox, CannotSeeOtherProgramsFolders) {
  if (!Namespaces()) GTEST_SKIP() << "isolation is process_only: the temporary folder is shared";
  // A neighbour's folder, readable by anyone, beside the program's own.
  std::string marker = Marker();
  fs::path neighbour = fs::temp_directory_path() / ("kaieval_sandbox_" + marker);
  fs::create_directories(neighbour);
  std::ofstream(neighbour / "main.py") << "secret = 1\n";
  ::chmod(neighbour.c_str(), 0755);
  RunResult r = RunPython(
      "import os\n"
      "here = os.getcwd()\n"
      "print(os.listdir(os.path.dirname(here)) == [os.path.basename(here)])\n"
      "print(os.path.exists('" +
      neighbour.string() + "/main.py'))\n");
  fs::remove_all(neighbour);
  ASSERT_TRUE(r.succeeded()) << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "True\nFalse\n");
}

TEST(Sandbox, ItsLeftoversAreRemovedWithoutFollowingItsLinks) {
  // A folder without permissions and a link to a host folder: cleaning up must remove the
  // first and leave the link's target alone.
  testing::ScratchDir host("sandbox_link_target");
  std::ofstream(host.path() / "keep.txt") << "keep";
  ::chmod(host.path().c_str(), 0755);
  RunResult r = RunPython(
      "import os\n"
      "os.mkdir('locked'); open('locked/f', 'w').write('x'); os.chmod('locked', 0)\n"
      "os.symlink('" +
      host.path().string() +
      "', 'link')\n"
      "print(os.getcwd())\n");
  ASSERT_TRUE(r.succeeded()) << r.stderr_text;
  std::string workdir = r.stdout_text.substr(0, r.stdout_text.size() - 1);
  EXPECT_FALSE(fs::exists(workdir)) << workdir;
  EXPECT_TRUE(fs::exists(host.path() / "keep.txt"));
  struct stat st {};
  ASSERT_EQ(::stat(host.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST(Sandbox, CannotForkBombTheMachine) {
  std::string marker = Marker();
  Limits limits;
  limits.processes = 16;
  limits.wall_seconds = 5;
  // Children replace themselves with a sleeper that carries the marker, so that the host can
  // count them.
  RunResult r = RunPython(
      "import os\n"
      "n = 0\n"
      "try:\n"
      "    while True:\n"
      "        if os.fork() == 0:\n"
      "            os.execv('/bin/sleep', ['sleep', '60', '" +
          marker +
          "'])\n"
          "        n += 1\n"
          "except OSError as e:\n"
          "    print('stopped after', n, 'errno', e.errno)\n",
      limits);
  ASSERT_EQ(r.termination, Termination::kExited) << r.stderr_text;
  EXPECT_THAT(r.stdout_text, HasSubstr("stopped after"));
  int forked = std::stoi(r.stdout_text.substr(std::string("stopped after ").size()));
  EXPECT_LT(forked, limits.processes);
  EXPECT_EQ(ProcessesLeft(marker), 0) << "sleepers outlived the program";
}

TEST(Sandbox, AClassicForkBombEndsAtItsTimeout) {
  Limits limits;
  limits.processes = 16;
  limits.wall_seconds = 1.5;
  auto start = std::chrono::steady_clock::now();
  RunResult r =
      RunPython("import os\nwhile True:\n    try: os.fork()\n    except OSError: pass\n", limits);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.termination, Termination::kTimedOut);
  EXPECT_LT(took, 4.0);
}

TEST(Sandbox, CannotOutliveItsTimeout) {
  std::string marker = Marker();
  Limits limits;
  limits.wall_seconds = 1;
  // A daemon that leaves the process group (setsid) and ignores SIGTERM, and a parent that
  // never ends.
  RunResult r = RunPython(
      "import os, signal, time\n"
      "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
      "if os.fork() == 0:\n"
      "    os.setsid()\n"
      "    if os.fork() == 0:\n"
      "        os.execv('/bin/sleep', ['sleep', '60', '" +
          marker +
          "'])\n"
          "    os._exit(0)\n"
          "print('started', flush=True)\n"
          "while True: time.sleep(0.1)\n",
      limits);
  EXPECT_EQ(r.termination, Termination::kTimedOut);
  EXPECT_EQ(r.stdout_text, "started\n");
  EXPECT_LT(r.wall_seconds, 2.0);
  EXPECT_EQ(ProcessesLeft(marker), 0) << "the daemon survived the timeout";
}

TEST(Sandbox, CannotReadTheEvaluatorsEnvironment) {
  ::setenv("KAIEVAL_TEST_API_KEY", "sk-kaieval-secret-1234", 1);
  ::setenv("OPENAI_API_KEY", "sk-kaieval-secret-1234", 1);
  RunResult r = RunPython(
      "import os, glob\n"
      "print(sorted(os.environ))\n"
      "for path in glob.glob('/proc/*/environ'):\n"
      "    try:\n"
      "        data = open(path, 'rb').read()\n"
      "        print(path, data.decode('utf-8', 'replace'))\n"
      "    except OSError as e:\n"
      "        print(path, 'refused', e.errno)\n");
  ::unsetenv("KAIEVAL_TEST_API_KEY");
  ::unsetenv("OPENAI_API_KEY");
  ASSERT_TRUE(r.succeeded()) << r.stderr_text;
  EXPECT_THAT(r.stdout_text, HasSubstr("['HOME', 'LANG', 'PATH', 'TMPDIR']"));
  EXPECT_THAT(r.stdout_text, Not(HasSubstr("sk-kaieval-secret")));
  EXPECT_THAT(r.stdout_text, Not(HasSubstr("API_KEY")));
}

TEST(Sandbox, TheCpuLimitStopsABusyLoop) {
  Limits limits;
  limits.cpu_seconds = 1;
  limits.wall_seconds = 20;
  RunResult r = RunPython("while True: pass\n", limits);
  EXPECT_EQ(r.termination, Termination::kSignaled);
  EXPECT_TRUE(r.signal == SIGXCPU || r.signal == SIGKILL) << r.signal;
  EXPECT_LT(r.wall_seconds, 10.0);
}

TEST(Sandbox, TheMemoryLimitRefusesAHugeAllocation) {
  Limits limits;
  limits.memory_bytes = 256ull << 20;
  RunResult r = RunPython("x = bytearray(1 << 30)\nprint('ALLOCATED')\n", limits);
  EXPECT_FALSE(r.succeeded());
  EXPECT_THAT(r.stdout_text, Not(HasSubstr("ALLOCATED")));
  EXPECT_THAT(r.stderr_text, HasSubstr("MemoryError"));
}

TEST(Sandbox, TheFileSizeLimitStopsAGrowingFile) {
  Limits limits;
  limits.file_bytes = 1 << 20;
  RunResult r = RunPython("open('big', 'wb').write(b'x' * (4 << 20))\nprint('WROTE')\n", limits);
  EXPECT_FALSE(r.succeeded());
  EXPECT_THAT(r.stdout_text, Not(HasSubstr("WROTE")));
}

TEST(Sandbox, EndlessOutputIsCutAtTheOutputLimit) {
  Limits limits;
  limits.output_bytes = 64 << 10;
  RunResult r = RunPython("while True: print('y' * 1000)\n", limits);
  EXPECT_EQ(r.termination, Termination::kOutputLimit);
  EXPECT_EQ(r.stdout_text.size(), limits.output_bytes);
}

TEST(Sandbox, NewNamespacesAndTracingAreRefused) {
  RunResult r = RunPython(
      "import ctypes, os\n"
      "libc = ctypes.CDLL(None, use_errno=True)\n"
      "print('unshare', libc.unshare(0x10000000), ctypes.get_errno())\n"  // CLONE_NEWUSER
      "print('ptrace', libc.ptrace(16, 1, 0, 0), ctypes.get_errno())\n"   // PTRACE_ATTACH
      "print('uid', os.getuid())\n");
  ASSERT_TRUE(r.succeeded()) << r.stderr_text;
  EXPECT_THAT(r.stdout_text, HasSubstr("unshare -1 1\n"));
  EXPECT_THAT(r.stdout_text, HasSubstr("ptrace -1 1\n"));
  if (::geteuid() == 0) {
    EXPECT_THAT(r.stdout_text, Not(HasSubstr("uid 0\n")));
  }
}

TEST(Sandbox, EachProgramHasItsOwnFolderAndRunAllKeepsTheOrder) {
  std::vector<Program> programs;
  for (int i = 0; i < 6; ++i) {
    programs.push_back(PythonProgram("import os\nprint(" + std::to_string(i) +
                                     ", sorted(os.listdir('.')))\n"
                                     "open('mine', 'w').write('x')\n"));
  }
  std::vector<RunResult> results = RunAll(Shared(), programs, 2);
  ASSERT_EQ(results.size(), 6u);
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(results[i].stdout_text, std::to_string(i) + " ['main.py']\n");
  }
}

TEST(Sandbox, ProcessOnlyFallbackStillBlocksSocketsAndTheEnvironment) {
  Sandbox weak(SandboxOptions{.force_process_only = true});
  ASSERT_EQ(weak.isolation(), Isolation::kProcessOnly);
  std::cout << "fallback isolation: " << IsolationName(weak.isolation()) << std::endl;
  ::setenv("KAIEVAL_TEST_API_KEY", "sk-kaieval-secret-1234", 1);
  RunResult r =
      weak.Run(PythonProgram("import os, socket\n"
                             "print(sorted(os.environ))\n"
                             "try:\n"
                             "    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
                             "    print('SOCKET')\n"
                             "except OSError as e:\n"
                             "    print('blocked', e.errno)\n"));
  ::unsetenv("KAIEVAL_TEST_API_KEY");
  ASSERT_TRUE(r.succeeded()) << r.stderr_text;
  EXPECT_EQ(r.isolation, Isolation::kProcessOnly);
  EXPECT_EQ(r.stdout_text, "['HOME', 'LANG', 'PATH', 'TMPDIR']\nblocked 13\n");
}

TEST(Sandbox, RejectsARelativeInterpreterAndPathLikeFileNames) {
  Program relative{{"python3", "-c", "pass"}, {}, {}};
  EXPECT_THROW(Shared().Run(relative), std::invalid_argument);
  Program escaping = PythonProgram("pass");
  escaping.files.push_back({"../x.py", "pass"});
  EXPECT_THROW(Shared().Run(escaping), std::invalid_argument);
}

}  // namespace
}  // namespace kaieval::sandbox
