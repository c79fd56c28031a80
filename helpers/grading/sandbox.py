"""Starting the child process: inside bubblewrap (``bwrap``), or, when asked, without a sandbox.

With bubblewrap each submission's child gets new user, PID, network, IPC, UTS
(and cgroup where possible) namespaces, an empty environment plus the few
variables Python needs, read-only views of the Python installation and of a
sanitised copy of the course package (``course_copy.py``), a private scratch
folder on a size-capped tmpfs, nothing else of the file system (no
submissions, no instructor files, no grader ``/proc``), no capabilities, a
seccomp filter that refuses new processes (threads stay allowed) and any
reaching into other processes (``ptrace``), resource limits (CPU time,
address space, file size, no core files), and it is killed when the grader
dies (``--die-with-parent``). See docs/grading.md for what this defends.
"""

from __future__ import annotations

import os
import platform
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

BOOT = ("import sys; sys.path.insert(0, {course!r}); "
        "from helpers.grading.child import main; main()")
SELF_TEST = "import sys; sys.path.insert(0, {course!r}); import numpy, IPython, helpers"
SANDBOX_COURSE = "/course"
SANDBOX_SCRATCH = "/scratch"
KEPT_ENV = ("OPENBLAS_CORETYPE",)


class SandboxUnavailable(Exception):
    """bubblewrap is missing or cannot create its namespaces here."""


# ---------------------------------------------------------------------------
# Live processes: every child is registered, so a signal can stop them all
# ---------------------------------------------------------------------------

_LIVE: set = set()
_LIVE_LOCK = threading.Lock()
_STOPPING = threading.Event()


def kill(proc: subprocess.Popen) -> None:
    """Kill a child and its whole process group (bubblewrap takes its namespace down with it)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.kill()
    except OSError:
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    for stream in (proc.stdin, proc.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    with _LIVE_LOCK:
        _LIVE.discard(proc)


def kill_all() -> None:
    """Stop every child now, and refuse to start new ones (on SIGTERM, SIGINT, SIGHUP)."""
    _STOPPING.set()
    with _LIVE_LOCK:
        live = list(_LIVE)
    for proc in live:
        kill(proc)


# ---------------------------------------------------------------------------
# seccomp: no new processes
# ---------------------------------------------------------------------------

_ARCH = {"x86_64": (0xC000003E, {"clone": 56, "fork": 57, "vfork": 58, "clone3": 435, "ptrace": 101,
                                  "process_vm_readv": 310, "process_vm_writev": 311, "pidfd_getfd": 438},
                    0x40000000),
         "aarch64": (0xC00000B7, {"clone": 220, "clone3": 435, "ptrace": 117, "process_vm_readv": 270,
                                  "process_vm_writev": 271, "pidfd_getfd": 438}, None)}
_PEEK = ("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd")


def seccomp_program() -> bytes | None:
    """A classic-BPF seccomp filter: clone only with CLONE_THREAD, no fork/vfork, clone3 -> ENOSYS,
    and no reaching into other processes (ptrace, process_vm_*, pidfd_getfd -> EPERM).

    glibc falls back from clone3 to clone, so threads (OpenBLAS) still start;
    ``fork``, ``subprocess``, ``os.posix_spawn`` and ``multiprocessing`` fail
    with EAGAIN. Returns None on an architecture not listed above.
    """
    arch = _ARCH.get(platform.machine())
    if arch is None:
        return None
    audit_arch, nr, x32_bit = arch
    LD, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
    ALLOW, KILL = 0x7FFF0000, 0x80000000
    EAGAIN, ENOSYS, EPERM = 0x00050000 | 11, 0x00050000 | 38, 0x00050000 | 1
    CLONE_THREAD = 0x00010000
    prog = [(LD, 0, 0, 4)]                                     # 0: arch
    prog.append((JEQ, 1, 0, audit_arch))                       # 1: right arch -> 3
    prog.append((RET, 0, 0, KILL))                             # 2
    prog.append((LD, 0, 0, 0))                                 # 3: syscall number
    denied = [n for name, n in nr.items() if name in ("fork", "vfork")]
    checks = []
    if x32_bit is not None:
        checks.append((JGE, x32_bit, "eagain"))
    checks += [(JEQ, n, "eagain") for n in denied]
    checks += [(JEQ, nr[name], "eperm") for name in _PEEK]
    checks.append((JEQ, nr["clone3"], "enosys"))
    checks.append((JEQ, nr["clone"], "clone"))
    # layout (BPF jumps only forward): checks..., allow, clone: ld flags; jset thread ? allow : eagain,
    # allow, eagain, enosys
    start = len(prog)
    after = start + len(checks)
    labels = {"clone": after + 1, "eagain": after + 4, "enosys": after + 5, "eperm": after + 6}
    for i, (code, k, label) in enumerate(checks):
        prog.append((code, labels[label] - (start + i) - 1, 0, k))
    prog.append((RET, 0, 0, ALLOW))                            # after: any other syscall
    prog.append((LD, 0, 0, 16))                                # clone: low 32 bits of the flags
    prog.append((JSET, 0, 1, CLONE_THREAD))
    prog.append((RET, 0, 0, ALLOW))                            # a thread
    prog.append((RET, 0, 0, EAGAIN))
    prog.append((RET, 0, 0, ENOSYS))
    prog.append((RET, 0, 0, EPERM))
    return b"".join(struct.pack("<HBBI", *ins) for ins in prog)


# ---------------------------------------------------------------------------
# Limits
# ---------------------------------------------------------------------------


def limits_command(memory_mb: int, cpu_s: int, file_mb: int) -> list[str]:
    """``prlimit`` in front of the command (limits inherited by everything it starts)."""
    tool = shutil.which("prlimit")
    if tool is None:
        return []
    return [tool, f"--as={memory_mb * 2**20}", f"--cpu={cpu_s}", f"--fsize={file_mb * 2**20}",
            "--core=0", "--nofile=256", "--"]


def _preexec_limits(memory_mb: int, cpu_s: int, file_mb: int):
    import resource

    def apply():
        for what, value in ((resource.RLIMIT_AS, memory_mb * 2**20), (resource.RLIMIT_CPU, cpu_s),
                            (resource.RLIMIT_FSIZE, file_mb * 2**20), (resource.RLIMIT_CORE, 0),
                            (resource.RLIMIT_NOFILE, 256)):
            resource.setrlimit(what, (value, value))
    return apply


# ---------------------------------------------------------------------------
# The bubblewrap command line
# ---------------------------------------------------------------------------


def _python_roots(hidden: list[Path]) -> list[str]:
    """Folders of the Python installation to show read-only; never one that holds a hidden path."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  str(Path(os.path.realpath(sys.executable)).parent.parent)}
    candidates.update(p for p in sys.path if p and ("site-packages" in p or "dist-packages" in p))
    roots = []
    for c in sorted(candidates, key=len):
        real = os.path.realpath(c)
        if not os.path.isdir(real) or real in ("/", "/usr"):
            continue
        if any(os.path.commonpath([real, str(h)]) == real for h in hidden):
            continue       # e.g. a Python installed in the instructor's home folder above the submissions
        if any(real == r or real.startswith(r + os.sep) for r in roots):
            continue
        roots.append(real)
    return roots


def bwrap_command(course_dir: str, scratch_mb: int, hidden: list[Path], seccomp_fd: int | None,
                  extra_overlays: list[tuple[str, str]]) -> list[str]:
    cmd = ["bwrap", "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
           "--unshare-cgroup-try", "--hostname", "sandbox", "--die-with-parent", "--new-session", "--clearenv",
           "--cap-drop", "ALL"]
    if _bwrap_supports("--disable-userns"):
        cmd.append("--disable-userns")          # no nested user namespaces (bubblewrap 0.8 and later)
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    cmd += ["--ro-bind", "/usr", "/usr"]
    roots = _python_roots(hidden)
    # /tmp is normally a link into the capped scratch folder. When the Python environment itself
    # lives under /tmp (a CI clone there, say), /tmp must exist as a folder to hold that mount:
    # then it is a tiny tmpfs, made read-only once the environment is mounted in it.
    tmp_holds_mounts = any(r == "/tmp" or r.startswith("/tmp/")
                           for r in roots + [target for _, target in extra_overlays])
    if tmp_holds_mounts:
        cmd += ["--size", str(2**20), "--tmpfs", "/tmp"]
    for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives",
                "/etc/fonts"):
        if os.path.exists(etc):
            cmd += ["--ro-bind", etc, etc]
    for root in roots:
        cmd += ["--ro-bind", root, root]
    for source, target in extra_overlays:           # the sanitised course over an installed copy
        cmd += ["--ro-bind", source, target]
    cmd += ["--ro-bind", course_dir, SANDBOX_COURSE,
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(16 * 2**20), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            "--size", str(scratch_mb * 2**20), "--tmpfs", SANDBOX_SCRATCH,
            "--dir", f"{SANDBOX_SCRATCH}/tmp"]
    cmd += (["--remount-ro", "/tmp"] if tmp_holds_mounts else ["--symlink", f"{SANDBOX_SCRATCH}/tmp", "/tmp"])
    cmd += ["--remount-ro", "/", "--chdir", SANDBOX_SCRATCH]
    env = {"PATH": "/usr/bin:/bin", "HOME": SANDBOX_SCRATCH, "TMPDIR": f"{SANDBOX_SCRATCH}/tmp",
           "LANG": "C.UTF-8", "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{SANDBOX_SCRATCH}/.mpl",
           "IPYTHONDIR": f"{SANDBOX_SCRATCH}/.ipython", "PYTHONDONTWRITEBYTECODE": "1",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.update({k: os.environ[k] for k in KEPT_ENV if k in os.environ})
    for k, v in env.items():
        cmd += ["--setenv", k, v]
    if seccomp_fd is not None:
        cmd += ["--seccomp", str(seccomp_fd)]
    return cmd


_HELP: list[str] = []


def _bwrap_supports(option: str) -> bool:
    if not _HELP:
        try:
            _HELP.append(subprocess.run(["bwrap", "--help"], capture_output=True, text=True, timeout=10).stdout)
        except (OSError, subprocess.SubprocessError):
            _HELP.append("")
    return option in _HELP[0]


def probe_bwrap() -> str | None:
    """None when bubblewrap works here, else why not (one line)."""
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    try:
        done = subprocess.run(["bwrap", "--unshare-user", "--unshare-pid", "--unshare-net", "--die-with-parent",
                               "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev",
                               "--size", str(2**20), "--tmpfs", "/tmp", "true"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"bubblewrap could not start ({exc})"
    if done.returncode != 0:
        return "bubblewrap cannot create its namespaces here: " + \
            done.stderr.decode("utf-8", "replace").strip()[:200]
    return None


# ---------------------------------------------------------------------------
# Starting a child
# ---------------------------------------------------------------------------


class Launcher:
    """Starts children for one grading run: ``mode`` is "bwrap" or "none"."""

    def __init__(self, mode: str, workdir: Path, hidden: list[Path], memory_mb: int, cpu_s: int,
                 file_mb: int, scratch_mb: int):
        self.mode, self.workdir, self.hidden = mode, workdir, hidden
        self.memory_mb, self.cpu_s, self.file_mb, self.scratch_mb = memory_mb, cpu_s, file_mb, scratch_mb
        self.seccomp = seccomp_program() if mode == "bwrap" else None
        self.prlimit = limits_command(memory_mb, cpu_s, file_mb)

    def self_test(self, course_dir: Path, overlays: list[tuple[str, str]]) -> str | None:
        """None when a child can start Python with NumPy and IPython here, else why not."""
        proc = self.start(course_dir, overlays, command=SELF_TEST)
        try:
            proc.stdin.close()
            code = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            code = "no answer within 120 s"
        finally:
            kill(proc)
        return None if code == 0 else f"Python does not start inside the sandbox (exit status {code}); " \
            "is the Python installation inside a folder that holds the submissions?"

    def start(self, course_dir: Path, overlays: list[tuple[str, str]], command: str | None = None) -> subprocess.Popen:
        if _STOPPING.is_set():
            raise KeyboardInterrupt("grading was stopped")
        python = sys.executable
        pass_fds: tuple = ()
        read_end = None
        if self.mode == "bwrap":
            if self.seccomp is not None:
                read_end, write_end = os.pipe()
                os.write(write_end, self.seccomp)    # a few hundred bytes: fits in the pipe
                os.close(write_end)
                pass_fds = (read_end,)
            cmd = bwrap_command(str(course_dir), self.scratch_mb, self.hidden, read_end,
                                overlays) + [python, "-I", "-B", "-c",
                                             (command or BOOT).format(course=SANDBOX_COURSE)]
            cwd, env = "/", {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        else:
            scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=self.workdir))
            cmd = [python, "-I", "-B", "-c", (command or BOOT).format(course=str(course_dir))]
            cwd = str(scratch)
            env = {"PATH": "/usr/bin:/bin", "HOME": cwd, "TMPDIR": cwd, "LANG": "C.UTF-8", "MPLBACKEND": "Agg",
                   "MPLCONFIGDIR": f"{cwd}/.mpl", "IPYTHONDIR": f"{cwd}/.ipython", "OPENBLAS_NUM_THREADS": "1"}
            env.update({k: os.environ[k] for k in KEPT_ENV if k in os.environ})
        preexec = None
        if self.prlimit:
            cmd = self.prlimit + cmd
        else:
            preexec = _preexec_limits(self.memory_mb, self.cpu_s, self.file_mb)
        with _LIVE_LOCK:
            if _STOPPING.is_set():
                raise KeyboardInterrupt("grading was stopped")
            try:
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        cwd=cwd, env=env, pass_fds=pass_fds, start_new_session=True,
                                        preexec_fn=preexec)
            finally:
                if read_end is not None:
                    os.close(read_end)
            _LIVE.add(proc)
        return proc
