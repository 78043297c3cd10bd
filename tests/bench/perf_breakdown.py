#!/usr/bin/env python3
"""perf_breakdown.py — where a `git twin` run spends its time, from a perf recording.

Usage:
  perf_breakdown.py PERF_DATA [--execve LOG] [--freq HZ] [--top N]

PERF_DATA is a `perf record -F HZ -g` (frame pointers; build git-twin with
-fno-omit-frame-pointer) or `--call-graph dwarf` recording of one `git twin ...` run
(children included: perf follows forks).  --execve names each child by its argv instead
of just "git": either lines "PID<TAB>ARGV" written by an exec shim (snapshot_profile.sh
puts one named `git` first in PATH: it logs `$$` and execs the real git, so the pid
stays), or an `strace -f -tt -e trace=execve` log of the same run.  Avoid strace around
perf for timing: it slows every syscall of some children (git commit) several-fold.

Prints
  1. the process timeline: every process, its argv (when known), wall time from exec to
     exit (from perf's task events) and its on-CPU time (samples / HZ);
  2. for the git-twin process, inclusive on-CPU time per phase (the outermost git-twin
     function of each sample that names a phase) and per cost category (any frame of the
     sample; categories overlap and nest, so they do not add up to 100%);
  3. for each git child, on-CPU time by library / kernel syscall;
  4. the top inclusive functions of the git-twin process.

On-CPU time is samples / HZ; time spent waiting (children, I/O, other load on the machine)
shows only in the wall times of the timeline.
"""
import argparse
import collections
import re
import subprocess
import sys

# Phases of the git-twin process: the outermost matching frame (from main downwards)
# decides.  Order matters only for frames that match several patterns.
PHASES = [
    ("startup: libgit2 init (CA bundle via mbedtls)", r"git_libgit2_init|LibGit2Session::LibGit2Session|mbedtls_"),
    ("startup: dynamic linking / static init", r"^_dl_|^dl_main|_GLOBAL__sub_I|__libc_csu_init|call_init"),
    ("open session (repo, config, plugins)", r"open_session|load_config|RepoLock::acquire|plugins::enabled"),
    ("collect: files.mirror walk (stat, read, sha256, mirror copies)", r"FilesMirror::collect|collect_files"),
    ("collect: other plugins", r"::collect\b|::collect\("),
    ("emit YAML", r"emit_yaml|plan_to_yaml"),
    ("check_state_document (parse + valijson + check_state)", r"check_state_document"),
    ("parse YAML (base/live documents)", r"parse_yaml|parse_block_yaml"),
    ("adopt (live_entries, decide, copy into filesystem/)", r"FilesMirror::adopt\b|FilesMirror::adopt\(|adopt_resources|adopt_named"),
    ("plan: files planner", r"FilesMirror::plan|plan_files"),
    ("plan: make_plan (other)", r"make_plan"),
    ("plan: validate plan / to_json", r"plan_to_value|validate_against|to_json"),
    ("commit_paths (lstat, spawn git, wait)", r"commit_paths|run_git"),
    ("libgit2 reads (resolve, blob_id, read_blob)", r"GitRepo::"),
    ("work tree write_if_changed (live/*.yaml, state/*.yaml)", r"WorkTree::write_if_changed"),
    ("report / printing", r"print_|fmt::v\d+::vprint"),
    ("teardown (destructors, exit)", r"__run_exit_handlers|^exit$|_dl_fini|~"),
]

# Cost categories: a sample counts in every category one of whose patterns matches any
# frame.  "kernel:" categories look at kernel frames.
CATEGORIES = [
    ("tree walk: Dir::entries (getdents + fstatat)", r"Dir::entries"),
    ("reading machine files: Dir::read_file", r"Dir::read_file|SystemRoot::read_file"),
    ("sha256 (libcrypto)", r"sha256|SHA256|^EVP_Digest|sha256_block|@libcrypto"),
    ("exclude rules (fnmatch)", r"ExcludeRules::|fnmatch"),
    ("mirror copies: WorkTree::write (live/filesystem, filesystem/)", r"WorkTree::write$|WorkTree::write\b(?!_if)"),
    ("WorkTree::read (compare with current copy)", r"WorkTree::read\b"),
    ("WorkTree::stat (openat2 per parent + fstatat)", r"WorkTree::stat\b"),
    ("WorkTree::open_parent (openat2 / mkdir per write)", r"WorkTree::open_parent"),
    ("stat cache load/save/lookup", r"StatCache::"),
    ("FileEntry <-> Value (live_value, live_entries, desired_entries)", r"live_value|live_entries|desired_entries|desired_value"),
    ("YAML emit", r"emit_yaml|YamlEmitter|emit_value|emit_scalar"),
    ("YAML parse: fast block reader", r"parse_block_yaml|split_lines|\(anonymous namespace\)::Reader::"),
    ("YAML parse: yaml-cpp", r"^YAML::|parse_yaml_full"),
    ("schema: Value -> rapidjson", r"to_rapidjson"),
    ("schema: valijson", r"^valijson::"),
    ("check_state (plugin; twin_path stats)", r"FilesMirror::check_state"),
    ("adoption decisions", r"decide_adoption"),
    ("files planner", r"plan_files"),
    ("libgit2 (incl. git_odb_hash: SHA-1 of live/*.yaml)", r"^git_|@libgit2"),
    ("process spawn / wait (boost::process)", r"boost::process|ProcessRunner::run|posix_spawn|^__spawni|^_Fork|^__libc_fork"),
    ("malloc / free", r"^malloc$|^free$|^_int_malloc|^_int_free|^cfree|^operator new|^operator delete|malloc_consolidate|^__libc_malloc|^__libc_free"),
    ("kernel: inode creation (ext4_create / mkdir)", r"__ext4_new_inode"),
    ("kernel: ext4 recently_deleted scan (no-journal ext4 after mass deletes)", r"^recently_deleted$"),
    ("kernel: page faults", r"^asm_exc_page_fault$"),
    ("kernel: any syscall", r"^entry_SYSCALL_64"),
]

MALLOC_RX = re.compile(r"^(_int_malloc|_int_free|malloc|free|cfree|malloc_consolidate|unlink_chunk|"
                       r"__GI___libc_malloc|__GI___libc_free|__libc_malloc|__libc_free|_int_realloc|realloc)")

# Libraries without frame pointers: a sample whose chain breaks in one is named by it.
LEAF_DSO = {
    "libgit2.so.1.5.1": "libgit2 leaf, caller unknown (mostly git_odb_hash: SHA-1 of live/*.yaml)",
    "libcrypto.so.3": "libcrypto leaf, caller unknown (sha256 of file contents)",
    "libz.so.1.2.13": "zlib leaf, caller unknown",
    "libyaml-cpp.so.0.7.0": "yaml-cpp leaf, caller unknown",
}

KERNEL_SYSCALLS = re.compile(r"^__x64_sys_(\w+)|^__do_sys_(\w+)")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data")
    ap.add_argument("--execve", help="strace -f -e trace=execve log of the same run")
    ap.add_argument("--freq", type=float, default=None, help="perf sampling frequency (Hz)")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--timeline-only", action="store_true",
                    help="only the process timeline, without CPU times (for a recording of "
                         "scheduler tracepoints, e.g. perf record -e sched:sched_process_exit)")
    return ap.parse_args()


def perf_freq(data):
    out = subprocess.run(["perf", "evlist", "-F", "-i", data], capture_output=True, text=True).stdout
    m = re.search(r"sample_freq=(\d+)", out)
    return float(m.group(1)) if m else None


def read_execve(path):
    """pid -> argv, from an strace execve log or from lines "PID<TAB>ARGV" (an exec shim)."""
    argv = {}
    if not path:
        return argv
    rx = re.compile(r'^(\d+)\s+\S+\s+execve\("[^"]*", \[(.*?)\](?:, 0x[0-9a-f]+ /\*.*?\*/)?\) = 0')
    with open(path, errors="replace") as f:
        for line in f:
            if re.match(r"^\d+\t", line):
                pid, text = line.rstrip("\n").split("\t", 1)
                argv[int(pid)] = text
                continue
            m = rx.match(line)
            if m:
                args = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
                if args:
                    args[0] = args[0].rsplit("/", 1)[-1]
                argv[int(m.group(1))] = " ".join(args)
    return argv


def main():
    a = parse_args()
    freq = a.freq or perf_freq(a.data) or 1000.0
    ms = 1000.0 / freq
    argv = read_execve(a.execve)

    proc = subprocess.Popen(
        ["perf", "script", "-i", a.data, "--show-task-events", "-F", "comm,pid,tid,time,ip,sym,dso"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace")

    head_rx = re.compile(r"^\s*(.+?)\s+(\d+)/(\d+)\s+(\d+\.\d+):\s*(.*)$")
    fork_rx = re.compile(r"PERF_RECORD_FORK\((\d+):(\d+)\):\((\d+):(\d+)\)")
    exit_rx = re.compile(r"PERF_RECORD_EXIT\((\d+):(\d+)\)")
    comm_rx = re.compile(r"PERF_RECORD_COMM exec: (.+?):(\d+)/(\d+)")

    procs = {}  # pid -> dict(comm, parent, start, end, samples)

    def P(pid):
        return procs.setdefault(pid, {"comm": "?", "parent": None, "start": None, "end": None,
                                      "samples": 0, "dso": collections.Counter(),
                                      "sys": collections.Counter()})

    twin_samples = []  # list of frame-symbol lists (leaf first) for git-twin processes
    cur = None

    def flush(sample):
        if sample is None:
            return
        pid, comm, frames = sample
        p = P(pid)
        p["samples"] += 1
        if comm == "git-twin":
            twin_samples.append(frames)
        else:
            dso = frames[0][1] if frames else "?"
            p["dso"][dso] += 1
            sc = None
            for sym, _ in frames:
                m = KERNEL_SYSCALLS.match(sym)
                if m:
                    sc = m.group(1) or m.group(2)
            if sc:
                p["sys"][sc] += 1

    for line in proc.stdout:
        if not line.strip():
            continue
        if line[0] in " \t" and cur is not None and not head_rx.match(line.strip() + " "):
            s = line.strip()
            parts = s.split(None, 1)
            if len(parts) == 2:
                rest = parts[1]
                m = re.match(r"^(.*) \(([^()]*)\)$", rest)
                sym, dso = (m.group(1), m.group(2).rsplit("/", 1)[-1]) if m else (rest, "?")
                sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
                cur[2].append((sym, dso))
            continue
        m = head_rx.match(line)
        if not m:
            continue
        flush(cur)
        cur = None
        comm, pid, tid, t, rest = m.group(1), int(m.group(2)), int(m.group(3)), float(m.group(4)), m.group(5)
        if "PERF_RECORD_" in rest:
            if (f := fork_rx.search(rest)):
                child, ctid, parent, _ = map(int, f.groups())
                if child != parent:  # a process, not a thread
                    c = P(child)
                    c["parent"] = parent
                    c["start"] = t
                    c["comm"] = P(parent)["comm"]
            elif (e := exit_rx.search(rest)):
                epid, etid = map(int, e.groups())
                if epid == etid:
                    P(epid)["end"] = t
            elif (c := comm_rx.search(rest)):
                p = P(int(c.group(2)))
                p["comm"] = c.group(1)
                p["exec"] = t
                if p["start"] is None:
                    p["start"] = t
            continue
        p = P(pid)
        if p["comm"] == "?":
            p["comm"] = comm
        cur = (pid, comm, [])
    flush(cur)
    proc.wait()

    # --- 1. timeline -----------------------------------------------------------------
    total = sum(p["samples"] for p in procs.values())
    t0 = min((p["start"] for p in procs.values() if p["start"] is not None), default=0.0)
    if a.timeline_only:
        print(f"perf data: {a.data} (process events only)")
    else:
        print(f"perf data: {a.data}; {total} samples at {freq:g} Hz = {total * ms:.0f} ms on-CPU in all processes")
    print()
    print("1. processes (wall = exec to exit" + ("" if a.timeline_only else "; cpu = samples / Hz") + ")")
    print(f"   {'pid':>7} {'start':>8} {'wall':>9} {'' if a.timeline_only else 'cpu':>9}  argv")
    for pid in sorted(procs, key=lambda k: (procs[k]["start"] or 0, k)):
        p = procs[pid]
        if p["samples"] == 0 and p["comm"] in ("?", "perf-exec"):
            continue
        start = p.get("exec", p["start"])
        wall = (p["end"] - start) * 1000 if (p["end"] and start) else float("nan")
        name = argv.get(pid, p["comm"])
        if p["samples"] == 0 and wall == wall and wall < 5 and not argv.get(pid):
            continue
        cpu = "" if a.timeline_only else f"{p['samples'] * ms:.0f}ms"
        print(f"   {pid:>7} {((start or t0) - t0):>7.3f}s {wall:>7.0f}ms {cpu:>9}  {name[:110]}")
    if a.timeline_only:
        return 0

    # --- 2. git-twin phases and categories ------------------------------------------
    n = len(twin_samples)
    if n:
        print()
        print(f"2. git-twin process: {n} samples = {n * ms:.0f} ms on-CPU")
        phase_rx = [(name, re.compile(rx)) for name, rx in PHASES]
        phases = collections.Counter()
        for frames in twin_samples:
            found = None
            for sym, _ in reversed(frames):  # from the root towards the leaf
                for name, rx in phase_rx:
                    if rx.search(sym):
                        found = name
                        break
                if found:
                    break
            if not found:
                user = [sym for sym, d in frames if d != "[kernel.kallsyms]"]
                if any("main" in sym for sym, _ in frames):
                    found = "other (in main)"
                elif user and MALLOC_RX.search(user[0]):
                    # glibc's allocator uses rbp as a scratch register: frame-pointer
                    # chains break there, so the caller is unknown
                    found = "malloc / free (caller unknown: broken frame chain)"
                elif user and user[0] == "_Fork":
                    found = "fork (spawning a child)"
                elif user and "fnmatch" in user[0]:
                    found = "exclude rules: fnmatch (caller unknown)"
                elif frames and LEAF_DSO.get(next((d for sym, d in frames if d != "[kernel.kallsyms]"), "")):
                    found = LEAF_DSO[next(d for sym, d in frames if d != "[kernel.kallsyms]")]
                else:
                    found = "unattributed (truncated stack or before main)"
            phases[found] += 1
        print("   phases (outermost match; adds up to 100%):")
        for name, c in phases.most_common():
            print(f"     {c * ms:>7.0f} ms {100.0 * c / n:5.1f}%  {name}")

        cat_rx = [(name, re.compile(rx)) for name, rx in CATEGORIES]
        cats = collections.Counter()
        for frames in twin_samples:
            # symbols, plus "@dso" for frames that have no symbol (libraries without one)
            syms = [sym if sym != "[unknown]" else "@" + d for sym, d in frames]
            for name, rx in cat_rx:
                if any(rx.search(s) for s in syms):
                    cats[name] += 1
        print("   cost categories (inclusive, overlapping):")
        for name, _ in CATEGORIES:
            if cats[name]:
                print(f"     {cats[name] * ms:>7.0f} ms {100.0 * cats[name] / n:5.1f}%  {name}")

        # inclusive per function (each function once per sample)
        incl = collections.Counter()
        for frames in twin_samples:
            for sym in {s for s, d in frames if d not in ("[kernel.kallsyms]",) and s != "[unknown]"}:
                incl[sym] += 1
        print(f"   top {a.top} user-space functions by inclusive time:")
        for sym, c in incl.most_common(a.top):
            print(f"     {c * ms:>7.0f} ms {100.0 * c / n:5.1f}%  {sym[:120]}")

    # --- 3. git children -------------------------------------------------------------
    kids = [pid for pid, p in procs.items() if p["comm"] != "git-twin" and p["samples"]]
    if kids:
        print()
        print("3. other processes: on-CPU by library (leaf frame) and by kernel syscall")
        for pid in sorted(kids, key=lambda k: -procs[k]["samples"]):
            p = procs[pid]
            if p["samples"] * ms < 5:
                continue
            name = argv.get(pid, p["comm"])
            dsos = ", ".join(f"{d} {c * ms:.0f}" for d, c in p["dso"].most_common(4))
            sysc = ", ".join(f"{s} {c * ms:.0f}" for s, c in p["sys"].most_common(5))
            print(f"   {pid} {name[:80]}: {p['samples'] * ms:.0f} ms")
            print(f"       by dso (ms): {dsos}")
            if sysc:
                print(f"       syscalls (ms, inclusive): {sysc}")


if __name__ == "__main__":
    sys.exit(main())
