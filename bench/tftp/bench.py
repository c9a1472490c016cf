#!/usr/bin/env python3
"""TFTP throughput over loopback: Chainboot tftp-service vs Debian's tftpd-hpa and atftpd.

Run by hand as root from the repo root after `mvn -q package -pl tftp-service -DskipTests`:
    python3 bench/tftp/bench.py
Needs: tftpd-hpa (in.tftpd), atftp, curl, gcc, and atftpd unpacked to /tmp/atftpd
(`apt-get download atftpd && dpkg-deb -x atftpd_*.deb /tmp/atftpd`; it conflicts with tftpd-hpa).
Clients: the real ones (atftp, curl) and `fastget` (bench/tftp/fastget.c, compiled here with gcc),
a minimal C client that costs as little as possible per packet (recvmmsg batches on a connected
socket, no per-packet select, payload discarded); it exists only to measure the servers' own
ceiling and drives all three servers the same way.
64 MiB file, output to /dev/null. Every case is run once per server as a warm-up (the JVM's JIT
and every server's page cache), then ROUNDS rounds interleaved across servers; prints the first
timed run ("one run"), the best and the median, in MiB/s, and ratios of the best. The box is
shared (2 cores, other builds running), so best-of-N is the figure least distorted by noise.
"""
import os, resource, shutil, signal, socket, subprocess, sys, tempfile, time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
JAR = os.path.join(REPO, "tftp-service/target/quarkus-app/quarkus-run.jar")
ATFTPD = "/tmp/atftpd/usr/sbin/atftpd"
SIZE = 64 * 1024 * 1024
ROUNDS = int(os.environ.get("ROUNDS", "3"))
# The box is shared with other builds: every server and client runs at the same raised priority
# (NICE=0 to turn off) so the comparison measures the servers, not the neighbours.
NICE = ["nice", "-n", os.environ.get("NICE", "-15")]
PORTS = {"chainboot": 16969, "tftpd-hpa": 16970, "atftpd": 16971}

def wait_udp(port):
    for _ in range(200):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.2)
        try:
            s.sendto(b"\x00\x01nonexistent\x00octet\x00", ("127.0.0.1", port))
            s.recvfrom(600)
            return
        except OSError:
            time.sleep(0.1)
        finally:
            s.close()
    raise SystemExit("server on port %d did not answer" % port)

def start_servers(root):
    procs = {}
    procs["chainboot"] = subprocess.Popen(NICE + ["java", "-Xmx256m",
        "-Dchainboot.tftp.port=%d" % PORTS["chainboot"], "-Dchainboot.tftp.bind-address=127.0.0.1",
        "-Dchainboot.tftp.root=" + root, "-Dchainboot.tftp.mtu=65536", "-Dchainboot.tftp.timeout=1s",
        "-Dchainboot.common.kafka-enabled=false", "-Dquarkus.http.port=18083",
        "-Dquarkus.log.level=WARN", "-jar", JAR], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs["tftpd-hpa"] = subprocess.Popen(NICE + ["in.tftpd", "-L", "-a", "127.0.0.1:%d" % PORTS["tftpd-hpa"],
        "-s", root, "-u", "nobody"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs["atftpd"] = subprocess.Popen(NICE + [ATFTPD, "--daemon", "--no-fork", "--port", str(PORTS["atftpd"]),
        "--bind-address", "127.0.0.1", "--user", "nobody.nogroup", "--logfile", "/dev/null", root],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name, port in PORTS.items():
        wait_udp(port)
    return procs

CLIENT_CPU = [0]  # CPU ms of the last timed client (user + system)

def timed(cmd):
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    r = subprocess.run(NICE + cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=600)
    dt = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    CLIENT_CPU[0] = int(1000 * (ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime))
    if r.returncode != 0:
        return None, r.stderr.decode(errors="replace")[-200:]
    return dt, None

def atftp(port, opts, out):
    cmd = ["atftp", "--get", "-r", "big.bin", "-l", out]
    for o in opts:
        cmd += ["--option", o]
    return cmd + ["127.0.0.1", str(port)]

FASTGET = None  # path of the compiled fastget, set in main()

def fastget(port, blksize, window, out):
    return [FASTGET, "127.0.0.1", str(port), "big.bin", str(blksize), str(window)] + ([out] if out != "/dev/null" else [])

def curl(port, blksize, out):
    return ["curl", "-sS", "-o", out, "--tftp-blksize", str(blksize), "tftp://127.0.0.1:%d/big.bin" % port]

def cpu_ticks(pid):
    """utime+stime+cutime+cstime of a server process (tftpd-hpa forks a child per transfer)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15])

def rss_kib(pid, field="VmRSS:"):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0

def main():
    root = tempfile.mkdtemp(prefix="cb-tftp-bench-")
    os.chmod(root, 0o755)
    with open(os.path.join(root, "big.bin"), "wb") as f:
        f.write(os.urandom(SIZE))
    subprocess.run(["cp", "/usr/lib/ipxe/undionly.kpxe", root], check=True)
    for n in os.listdir(root):
        os.chmod(os.path.join(root, n), 0o644)
    global FASTGET
    if shutil.which("gcc"):
        FASTGET = os.path.join(root, "fastget")
        subprocess.run(["gcc", "-O2", "-o", FASTGET, os.path.join(REPO, "bench/tftp/fastget.c")], check=True)
    else:
        print("no gcc: the fastget cases are skipped", flush=True)
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    procs = start_servers(root)
    out = os.path.join(root, "out.bin")
    results = {}
    try:
        cases = [
            ("lock-step 512 (atftp)", lambda p: atftp(p, [], "/dev/null"), ["chainboot", "tftpd-hpa", "atftpd"]),
            ("lock-step 1468 (atftp)", lambda p: atftp(p, ["blksize 1468"], "/dev/null"), ["chainboot", "tftpd-hpa", "atftpd"]),
            ("windowsize 8, 1468 (atftp)", lambda p: atftp(p, ["blksize 1468", "windowsize 8"], "/dev/null"), ["chainboot", "atftpd"]),
            ("windowsize 64, 1468 (atftp)", lambda p: atftp(p, ["blksize 1468", "windowsize 64"], "/dev/null"), ["chainboot", "atftpd"]),
            ("lock-step 8192 (atftp)", lambda p: atftp(p, ["blksize 8192"], "/dev/null"), ["chainboot", "tftpd-hpa", "atftpd"]),
            ("lock-step 512 (curl)", lambda p: curl(p, 512, "/dev/null"), ["chainboot", "tftpd-hpa"]),
            ("lock-step 1468 (curl)", lambda p: curl(p, 1468, "/dev/null"), ["chainboot", "tftpd-hpa"]),
            ("lock-step 8192 (curl)", lambda p: curl(p, 8192, "/dev/null"), ["chainboot", "tftpd-hpa"]),
        ]
        if FASTGET:
            cases += [
                ("lock-step 1468 (fastget)", lambda p: fastget(p, 1468, 1, "/dev/null"), ["chainboot", "tftpd-hpa", "atftpd"]),
                ("windowsize 8, 1468 (fastget)", lambda p: fastget(p, 1468, 8, "/dev/null"), ["chainboot", "atftpd"]),
                ("windowsize 64, 1468 (fastget)", lambda p: fastget(p, 1468, 64, "/dev/null"), ["chainboot", "atftpd"]),
            ]
        # one byte-identity check per server before timing
        checks = [("atftp", lambda p: atftp(p, ["blksize 1468"], out))]
        if FASTGET:
            checks.append(("fastget ws64", lambda p: fastget(p, 1468, 64, out)))
        for client, mk in checks:
            for name in ["chainboot", "tftpd-hpa", "atftpd"]:
                if os.path.exists(out):
                    os.unlink(out)
                dt, err = timed(mk(PORTS[name]))
                same = subprocess.run(["cmp", "-s", out, os.path.join(root, "big.bin")]).returncode == 0
                print("check %-12s %-10s byte-identical=%s %s" % (client, name, same, err or ""), flush=True)
        import statistics
        for label, mk, servers in cases:  # warm-up
            for name in servers:
                timed(mk(PORTS[name]))
        runs = {}
        cpus = {}
        ccpus = {}
        for rnd in range(ROUNDS):
            for label, mk, servers in cases:
                for name in servers:
                    c0 = cpu_ticks(procs[name].pid)
                    dt, err = timed(mk(PORTS[name]))
                    ccpus.setdefault((label, name), []).append(CLIENT_CPU[0])
                    time.sleep(0.2)  # let tftpd-hpa reap its child
                    cpus.setdefault((label, name), []).append((cpu_ticks(procs[name].pid) - c0) * 1000 // os.sysconf("SC_CLK_TCK"))
                    runs.setdefault((label, name), []).append(None if dt is None else SIZE / dt / 2**20)
                    if err:
                        print("FAILED", label, name, err, flush=True)
        print("load average after the timed rounds: %.2f %.2f %.2f" % os.getloadavg())
        print("%-30s %-10s %8s %8s %8s %8s %14s %14s" % ("case", "server", "first", "best", "median", "kpkt/s", "server cpu ms", "client cpu ms"))
        for label, _, servers in cases:
            for name in servers:
                ok = [x for x in runs[(label, name)] if x is not None]
                results[(label, name)] = max(ok) if ok else None
                first = runs[(label, name)][0]
                blk = 512 if "512" in label else 8192 if "8192" in label else 1468
                print("%-30s %-10s %8s %8.1f %8.1f %8.1f %14d %14d" % (label, name, "fail" if first is None else "%.1f" % first,
                      max(ok) if ok else 0, statistics.median(ok) if ok else 0, (max(ok) if ok else 0) * 2**20 / blk / 1000,
                      statistics.median(cpus[(label, name)]), statistics.median(ccpus[(label, name)])), flush=True)
        print()
        def ratio(a, b):
            x, y = results.get(a), results.get(b)
            return "n/a" if not x or not y else "%.2fx" % (x / y)
        for label, _, servers in cases:
            for peer in servers[1:]:
                print("%-30s chainboot / %-10s = %s (best vs best)" % (label, peer, ratio((label, "chainboot"), (label, peer))))
        print("(MiB/s: first timed run, best and median of %d rounds; kpkt/s: DATA packets per second at the best run; "
              "cpu ms: median per 64 MiB, server = all threads/children)" % ROUNDS)
        for client in ["atftp", "fastget"] if FASTGET else ["atftp"]:
            for ws in ["8", "64"]:
                for name in ["chainboot", "atftpd"]:
                    print("%-30s %s ws%s / own lock-step 1468 = %s" % ("windowed vs lock-step (%s)" % client, name, ws,
                          ratio(("windowsize %s, 1468 (%s)" % (ws, client), name), ("lock-step 1468 (%s)" % client, name))))
        print()
        # 200 concurrent transfers of undionly.kpxe (curl: tsize + blksize 1468, like a PXE ROM)
        pid = procs["chainboot"].pid
        rss_before = rss_kib(pid)
        peak = [rss_before]
        n = 200
        t0 = time.monotonic()
        clients = []
        for i in range(n):
            clients.append(subprocess.Popen(NICE + ["curl", "-sS", "-o", os.path.join(root, "c%03d.kpxe" % i), "--tftp-blksize", "1468",
                "tftp://127.0.0.1:%d/undionly.kpxe" % PORTS["chainboot"]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        while any(c.poll() is None for c in clients):
            peak[0] = max(peak[0], rss_kib(pid))
            time.sleep(0.05)
        dt = time.monotonic() - t0
        failures = sum(1 for c in clients if c.returncode != 0)
        wrong = 0
        for i in range(n):
            p = os.path.join(root, "c%03d.kpxe" % i)
            if not os.path.exists(p) or subprocess.run(["cmp", "-s", p, os.path.join(root, "undionly.kpxe")]).returncode != 0:
                wrong += 1
        print("200 concurrent undionly.kpxe: %d curl failures, %d not byte-identical, %.2f s wall; server RSS %d MiB before, %d MiB peak "
              "(anonymous %d MiB, file-backed %d MiB at the end; -Xmx256m)"
              % (failures, wrong, dt, rss_before // 1024, peak[0] // 1024, rss_kib(pid, "RssAnon:") // 1024, rss_kib(pid, "RssFile:") // 1024))
    finally:
        for p in procs.values():
            p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run(["rm", "-rf", root])

if __name__ == "__main__":
    main()
