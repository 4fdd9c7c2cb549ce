#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the figures of a bench VM run (bench-data.log) into REPORT.md and
PNG plots (gnuplot). Medians lead, min-max beside them, ratios in their
own column; every goal of issues 3 and 4 is stated next to its figure."""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict

ANCHORS = ["vsched", "ipvs", "iptables", "nft"]
SHORT = {"plain": "plain", "vsched": "vsched", "ipvs": "IPVS",
         "iptables": "iptables", "nft": "nftables"}
NAMES = {"plain": "plain forwarding", "vsched": "vsched", "ipvs": "IPVS",
         "iptables": "iptables DNAT", "nft": "nftables DNAT map",
         "vshealthd": "vshealthd", "keepalived": "keepalived"}


def load(path):
    rows = defaultdict(list)  # (measure, anchor, param) -> [values]
    meta = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] == "M" and len(p) >= 3:
                meta[p[1]] = p[2]
            elif p[0] == "R" and len(p) >= 6:
                try:
                    v = float(p[5])
                except ValueError:
                    continue
                if v == v:  # not NaN
                    rows[(p[1], p[2], p[3])].append(v)
    return rows, meta


def med(rows, m, a, p):
    v = rows.get((m, a, p))
    return statistics.median(v) if v else None


def cell(rows, m, a, p, fmt="{:.2f}"):
    v = rows.get((m, a, p))
    if not v:
        return "—"
    s = fmt.format(statistics.median(v))
    if len(v) > 1:
        s += " (" + fmt.format(min(v)) + "–" + fmt.format(max(v)) + ")"
    return s


def rat(a, b, fmt="{:.2f}"):
    if a is None or b is None or b == 0:
        return "—"
    return fmt.format(a / b)


GOALS = []  # (goal, verdict) for the closing summary


def goal_line(what, ok, detail=""):
    GOALS.append((what, ok, detail))
    return verdict(ok)


def verdict(ok):
    if ok is None:
        return "not decided"
    return "**met**" if ok else "**MISSED**"


def gnuplot(script, out):
    if not shutil.which("gnuplot"):
        return False
    r = subprocess.run(["gnuplot"], input=script, text=True,
                       capture_output=True, check=False)
    if r.returncode != 0:
        print("report: gnuplot failed for %s: %s" % (out, r.stderr),
              file=sys.stderr)
        return False
    return True


def ipvs_buckets(meta):
    b = meta.get("ipvs_conn_tab_bits")
    return format(1 << int(b), ",") if b and b.isdigit() else "?"


def ipvs_table_sized(meta):
    b = meta.get("ipvs_conn_tab_bits", "")
    return b.isdigit() and int(b) >= 20


def ipvs_table_note(meta):
    b = meta.get("ipvs_conn_tab_bits", "")
    if ipvs_table_sized(meta):
        return ("IPVS's connection table is sized for the connections the "
                "rounds leave behind, as an operator would size it for a "
                "million: `conn_tab_bits=%s` (%s buckets)." % (b, ipvs_buckets(meta)))
    return ("**IPVS ran with a connection table of %s buckets** "
            "(`conn_tab_bits=%s`) while the rounds left over a million "
            "connections in it: its lookups walk chains hundreds long, so "
            "its costs here are inflated and the comparison with IPVS is "
            "not a fair one." % (ipvs_buckets(meta), b or "?"))


def section_health(rows, meta, out):
    L = ["## Health checking: 1,000 servers every second (issue 3)", ""]
    if not any(k[0] == "health_cpu" for k in rows):
        return L + ["Not measured in this run.", ""]
    L += ["%s servers behind one service, interval 1 s, timeout 1 s, each "
          "daemon alone and pinned to CPU 1, %s rounds of %s s each, the "
          "daemons alternating; a window opens once the daemon has sent "
          "about one probe per server (its first sweep, with its health "
          "updates and log lines, is left out). CPU is utime+stime of the daemon (keepalived: its "
          "parent and checker processes) per second of wall time; probes/s "
          "is what the servers saw (SYNs for TCP, requests for HTTP). "
          "keepalived: %s, IPVS in its own namespace; vshealthd: vsched in "
          "another." % (meta.get("health_servers", "?"),
                        meta.get("health_rounds", "?"),
                        meta.get("health_secs", "?"),
                        meta.get("keepalived", "?")), "",
          "| check | daemon | CPU s per s | probes per s | CPU ms per probe |",
          "|---|---|---|---|---|"]
    goals = []
    for c in ("tcp", "http"):
        per = {}
        for d in ("vshealthd", "keepalived"):
            cpu = med(rows, "health_cpu", d, c)
            pr = med(rows, "health_probes", d, c)
            per[d] = (cpu, pr)
            ms = "—" if not cpu or not pr else "%.3f" % (cpu / pr * 1000)
            L.append("| %s | %s | %s | %s | %s |" % (
                c.upper(), d, cell(rows, "health_cpu", d, c, "{:.3f}"),
                cell(rows, "health_probes", d, c, "{:.0f}"), ms))
        (vc, vp), (kc, kp) = per["vshealthd"], per["keepalived"]
        if None not in (vc, vp, kc, kp) and kc and kp and vp:
            r = vc / kc
            rp = (vc / vp) / (kc / kp)
            goals.append((c, r, rp, vp, kp))
    L.append("")
    L.append("| check | ratio vshealthd/keepalived, CPU per second | ratio, CPU per probe | goal (< 1 at 1,000 probes/s) |")
    L.append("|---|---|---|---|")
    for c, r, rp, vp, kp in goals:
        ok = r < 1 and vp >= 0.9 * 1000
        note = goal_line("health checks (%s): less CPU than keepalived" % c.upper(),
                         ok, "vshealthd/keepalived CPU %.2f, per probe %.2f" % (r, rp))
        if vp < 900:
            note += (" — vshealthd reached only %.0f of 1,000 probes/s "
                     "(CPU-bound)" % vp)
        L.append("| %s | %.2f | %.2f | %s |" % (c.upper(), r, rp, note))
    L.append("")
    slow = [c.upper() for c, r, rp, vp, kp in goals if vp < 900 and kp < 900]
    if slow:
        L += ["%s: neither daemon kept up 1,000 probes per second in this "
              "VM (both send their first sweep of 1,000 probes within about "
              "2 s, then settle far lower), so CPU per second compares the "
              "same configuration but not the same work; CPU per probe "
              "compares the work. A daemon at about 1.0 CPU s per s is "
              "saturated: its rate, not the interval, sets the probes per "
              "second." % " and ".join(slow), ""]
    return L


def section_cost(rows, meta, out):
    L = ["## Balancer cost per new connection and per packet (issue 4, items 1 and 4's baseline)", ""]
    if not any(k[0] == "cost_new" for k in rows):
        return L + ["Not measured in this run.", ""]
    L += ["Saturation form: `vs-blast` (a raw-socket `sendmmsg` UDP "
          "generator, pinned to CPU 0) sends %s datagrams per trial, each "
          "a new flow (new connection) or cycling over 64 established "
          "flows (per packet); RPS steers the balancer namespace's receive "
          "work to CPU 1, which does nothing else, and the server side "
          "back to CPU 0. Cost = CPU 1 busy time (/proc/stat, 10 ms ticks) "
          "per forwarded packet, in µs; *own* subtracts the plain-forwarding "
          "lane (the same path with no balancer). %s rounds, lanes "
          "rotated each round. New connections are UDP flows (each needs "
          "a scheduling decision and a new entry), not TCP handshakes." % (
              meta.get("cost_packets", "?"), meta.get("cost_rounds", "?")),
          "",
          "Netfilter state: nf_conntrack and ip_vs are loaded for every "
          "lane; conntrack is active only in the iptables and nftables "
          "lanes' namespaces (their NAT needs it); IPVS runs with its "
          "default `conntrack=0`; vsched and plain forwarding run without "
          "conntrack. iptables backend: %s. %s" % (
              meta.get("iptables", "?"), ipvs_table_note(meta)), ""]
    plain_n = med(rows, "cost_new", "plain", "1")
    plain_e = med(rows, "cost_est", "plain", "1")
    # Noise: the spread of the plain lane's trials (at least 5% of it).
    def noise(m):
        v = rows.get((m, "plain", "1")) or [0]
        return max(max(v) - min(v), 0.05 * statistics.median(v))
    nz = {"new": noise("cost_new"), "est": noise("cost_est")}
    L += ["Noise: the plain lane's trials spread over %.2f µs (new "
          "connections) and %.2f µs (packets); an own cost below that is "
          "not told apart from zero." % (nz["new"], nz["est"]), "",
          "| anchor | new conn µs | own µs | vsched/anchor (total) | per packet µs | own µs | vsched/anchor (total) | new conns per CPU-second (total) |",
          "|---|---|---|---|---|---|---|---|"]
    own = {}
    for a in ["plain"] + ANCHORS:
        n, e = med(rows, "cost_new", a, "1"), med(rows, "cost_est", a, "1")
        on = None if n is None or plain_n is None else n - plain_n
        oe = None if e is None or plain_e is None else e - plain_e
        own[a] = (on, oe)
    vtn, vte = med(rows, "cost_new", "vsched", "1"), med(rows, "cost_est", "vsched", "1")
    for a in ["plain"] + ANCHORS:
        on, oe = own[a]
        n, e = med(rows, "cost_new", a, "1"), med(rows, "cost_est", a, "1")
        L.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            NAMES[a], cell(rows, "cost_new", a, "1"),
            "—" if a == "plain" or on is None else "%.2f" % on,
            rat(vtn, n), cell(rows, "cost_est", a, "1"),
            "—" if a == "plain" or oe is None else "%.2f" % oe,
            rat(vte, e), "%.0f" % (1e6 / n) if n else "—"))
    L.append("")
    def goal(mode, k):
        v, i = own["vsched"][k], own["ipvs"][k]
        if v is None or i is None:
            return None, "—"
        z = nz[mode]
        if i <= z:
            return None, ("not decidable: IPVS's own cost (%.2f µs) is "
                          "within the noise (%.2f µs)" % (i, z))
        if not ipvs_table_sized(meta):
            return None, ("IPVS's connection table was "
                          "undersized (vsched's own cost %.2f µs, IPVS's "
                          "%.2f µs)" % (v, i))
        if v <= z:
            return True, ("vsched's own cost (%.2f µs) is within the noise "
                          "of plain forwarding; IPVS's is %.2f µs" % (v, i))
        return v / i <= 1 / 1.2, "vsched's own cost is %.2f × IPVS's (%.2f vs %.2f µs)" % (v / i, v, i)
    g1, t1 = goal("new", 0)
    g2, t2 = goal("est", 1)
    L += ["Goal: the balancer's own cost per new connection and per packet "
          "≤ 1/1.2 of IPVS's (≥ 1.2 × the rate).", "",
          "- per new connection: %s — %s" % (goal_line("cost per new connection ≤ 1/1.2 of IPVS's", g1, t1), t1),
          "- per packet: %s — %s" % (goal_line("cost per packet ≤ 1/1.2 of IPVS's", g2, t2), t2), "",
          "Delivered (forwarded / sent, median): " + ", ".join(
              "%s %s" % (NAMES[a], cell(rows, "delivered_new", a, "1", "{:.3f}").split(" ")[0])
              for a in ["plain"] + ANCHORS) + "."
          , ""]
    # Bar plot of own costs.
    dat = os.path.join(out, "cost.dat")
    with open(dat, "w") as f:
        for a in ["plain"] + ANCHORS:
            f.write('"%s" %f %f\n' % (SHORT[a],
                                     med(rows, "cost_new", a, "1") or 0,
                                     med(rows, "cost_est", a, "1") or 0))
    png = os.path.join(out, "cost.png")
    if gnuplot("""set terminal pngcairo size 800,450
set output '%s'
set termoption noenhanced
set title "CPU 1 per packet, balancer + routing (median); lower is better"
set ylabel 'µs of CPU per packet'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top left
set grid ytics
set yrange [0:*]
plot '%s' using 2:xtic(1) title 'new connection', '' using 3 title 'packet of an established flow'
""" % (png, dat), png):
        L += ["![cost per anchor](cost.png)", ""]
    os.unlink(dat)
    return L


def section_scale(rows, meta, out):
    L = ["## Scale in services (issue 4, item 4)", ""]
    if not any(k[0] == "scale_new" for k in rows):
        return L + ["Not measured in this run.", ""]
    sizes = ["1", "1000", "10000"]
    modes = [m for m in ("new", "est")
             if any(k[0] == "scale_" + m and k[2] != "1" for k in rows)]
    L += ["The measured service is the last of 1, 1,000 or 10,000 (each "
          "with 3 real servers); same lanes and cost as above, %s packets "
          "per trial, %s rounds. iptables follows kube-proxy: one rule per "
          "service in KUBE-SERVICES, walked in order (the other services "
          "share one KUBE-SVC chain, which changes nothing on the measured "
          "path); nftables uses one verdict map. Load time is the wall "
          "time to configure the lane (namespaces included)." % (
              meta.get("scale_packets", "?"), meta.get("scale_rounds", "?")),
          ""]
    plain_n = med(rows, "cost_new", "plain", "1")
    for m in modes:
        title = "new connection" if m == "new" else "packet of an established flow"
        L += ["Cost per %s, µs (median, min–max):" % title, "",
              "| anchor | 1 | 1,000 | 10,000 | 10,000 / 1 (total) | 10,000 / 1 (own) | load s (1,000; 10,000) |",
              "|---|---|---|---|---|---|---|"]
        for a in ANCHORS:
            c1, c4 = med(rows, "scale_" + m, a, "1"), med(rows, "scale_" + m, a, "10000")
            base = plain_n if m == "new" else med(rows, "cost_est", "plain", "1")
            own = "—"
            # Only where both own costs stand above zero: a difference of
            # two noisy figures near zero makes a meaningless ratio.
            if None not in (c1, c4, base) and c1 - base > 0 and c4 - base > 0:
                own = "%.2f" % ((c4 - base) / (c1 - base))
            L.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                NAMES[a], cell(rows, "scale_" + m, a, "1"),
                cell(rows, "scale_" + m, a, "1000"),
                cell(rows, "scale_" + m, a, "10000"), rat(c4, c1), own,
                cell(rows, "scale_load_s", a, "1000", "{:.1f}") + "; " +
                cell(rows, "scale_load_s", a, "10000", "{:.1f}")))
        L.append("")
    v1, v4 = med(rows, "scale_new", "vsched", "1"), med(rows, "scale_new", "vsched", "10000")
    pv = rows.get(("cost_new", "plain", "1")) or [0]
    z = max(max(pv) - min(pv), 0.05 * statistics.median(pv))
    ok = None if None in (v1, v4) else v4 <= 1.10 * v1
    if ok is False and v4 - v1 <= z:
        # A rise smaller than the plain lane's spread is noise, not growth.
        ok = None
        L += ["vsched at 10,000 costs %.2f µs more than at 1, less than the "
              "noise (%.2f µs, the plain lane's spread): not decided." % (v4 - v1, z), ""]
    L += ["Goal: vsched's cost at 10,000 services within 10%% of 1 service: "
          "%s (10,000/1 = %s on the total per-connection cost; *own* "
          "divides the costs minus plain forwarding, which magnifies "
          "noise when the own cost is small)." % (
              goal_line("cost per new connection at 10,000 services within 10% of 1", ok,
                        "10,000/1 = %s" % rat(v4, v1)), rat(v4, v1)), ""]
    dat = os.path.join(out, "scale.dat")
    # One block per anchor with only the sizes it ran, so that a size
    # left out (QUICK) does not break its line.
    with open(dat, "w") as f:
        for a in ANCHORS:
            pts = [(s, med(rows, "scale_new", a, s)) for s in sizes]
            pts = [(s, v) for s, v in pts if v is not None] or [("1", float("nan"))]
            for s, v in pts:
                f.write("%s %f\n" % (s, v))
            f.write("\n\n")
    png = os.path.join(out, "scale.png")
    if gnuplot("""set terminal pngcairo size 800,450 noenhanced
set output '%s'
set title 'CPU per new connection vs number of services (median; lower is better)'
set xlabel 'services'
set ylabel 'µs of CPU per new connection (with routing, log)'
set logscale xy
set xrange [0.7:15000]
set key top left
set grid
plot for [i=0:3] '%s' index i using 1:2 with linespoints lw 2 title word('vsched IPVS iptables nftables', i+1)
""" % (png, dat), png):
        L += ["![scale in services](scale.png)", ""]
    os.unlink(dat)
    return L


SCHEDS = [("lc", "least connection"), ("wlc", "weighted least connection"),
          ("mh", "Maglev hashing")]


def section_sched(rows, meta, out):
    L = ["## Scale in real servers (issue 4, item 5)", ""]
    if not any(k[0] == "sched_new" for k in rows):
        return L + ["Not measured in this run.", ""]
    sizes = sorted({k[2] for k in rows if k[0] == "sched_new"}, key=int)
    L += ["The lanes of the cost part with one service scheduled by lc, "
          "wlc or mh over 3, 100 or 1,000 real servers (lc: weight 1; wlc "
          "and mh: weights 1..4 in turn), vsched next to IPVS; cost = CPU 1 "
          "per new connection (a new UDP flow), with routing, in µs; %s "
          "packets per trial, %s rounds, lanes rotated each round. The "
          "balancer's new-connection rate at saturation is the inverse of "
          "this cost, so *rate at 1,000 / rate at 3* is cost at 3 / cost at "
          "1,000. IPVS's lc and wlc compare every server for every new "
          "connection; vsched's compare at most 32 (Documentation/design.rst). "
          "%s" % (meta.get("sched_packets", "?"), meta.get("sched_rounds", "?"),
                  ipvs_table_note(meta)), "",
          "| scheduler | anchor | %s | rate at %s / rate at %s |" % (
              " | ".join("%s servers" % format(int(s), ",") for s in sizes),
              format(int(sizes[-1]), ","), sizes[0]),
          "|---|---|%s---|" % ("---|" * len(sizes))]
    verdicts = []
    for s, title in SCHEDS:
        for a in ("vsched", "ipvs"):
            an = "%s:%s" % (a, s)
            if a == "vsched" and meta.get("sched_vsched_lacks_" + s):
                L.append("| %s | vsched | %s | — |" % (s, " | ".join(["not yet"] * len(sizes))))
                continue
            if not any(k[0] == "sched_new" and k[1] == an for k in rows):
                continue
            lo, hi = med(rows, "sched_new", an, sizes[0]), med(rows, "sched_new", an, sizes[-1])
            L.append("| %s | %s | %s | %s |" % (
                s, NAMES[a], " | ".join(cell(rows, "sched_new", an, n) for n in sizes),
                rat(lo, hi)))
            if a == "vsched" and s in ("lc", "wlc") and sizes[-1] == "1000":
                ok = None if None in (lo, hi) else lo / hi >= 0.8
                verdicts.append("%s %s (%s)" % (s, goal_line(
                    "%s new-connection rate at 1,000 servers >= 80%% of the rate at 3" % s,
                    ok, "%s" % rat(lo, hi)), rat(lo, hi)))
    dl = [v for k, vs in rows.items() if k[0] == "sched_delivered" for v in vs]
    if dl:
        L += ["", "Delivered (forwarded / sent) in every trial: %.3f to %.3f." % (
            min(dl), max(dl))]
    L.append("")
    for s, _ in SCHEDS:
        if meta.get("sched_vsched_lacks_" + s):
            L.append("vsched has no `%s` scheduler yet: IPVS alone is shown." % s)
    if verdicts:
        L += ["", "Goal: lc and wlc at 1,000 servers keep at least 80% of the "
              "rate at 3: " + "; ".join(verdicts) + ".", ""]
    dat = os.path.join(out, "sched.dat")
    series = []
    with open(dat, "w") as f:
        for s, _ in SCHEDS:
            for a in ("vsched", "ipvs"):
                an = "%s:%s" % (a, s)
                pts = [(n, med(rows, "sched_new", an, n)) for n in sizes]
                pts = [(n, v) for n, v in pts if v is not None]
                if not pts:
                    continue
                series.append("%s-%s" % (SHORT[a], s))
                for n, v in pts:
                    f.write("%s %f\n" % (n, v))
                f.write("\n\n")
    png = os.path.join(out, "sched.png")
    if series and gnuplot("""set terminal pngcairo size 800,450 noenhanced
set output '%s'
set title 'CPU per new connection vs real servers (median; lower is better)'
set xlabel 'real servers'
set ylabel 'µs of CPU per new connection (with routing)'
set logscale x
set xrange [2:1500]
set yrange [0:*]
set key top left
set grid
plot for [i=0:%d] '%s' index i using 1:2 with linespoints lw 2 title word('%s', i+1)
""" % (png, len(series) - 1, dat, " ".join(series)), png):
        L += ["![scale in real servers](sched.png)", ""]
    os.unlink(dat)
    return L


def section_memory(rows, meta):
    L = ["## Memory per connection (issue 4, item 6)", ""]
    if not any(k[0] == "mem_objsize" for k in rows):
        return L + ["Not measured in this run.", ""]
    L += ["Slab caches after the new-connection rounds of the cost part "
          "(booted with `slub_nomerge`, no `slub_debug`), each connection "
          "still held. Bytes per connection = the cache's slabs (pages) / "
          "its objects in use. Hash tables are not included (IPVS's is "
          "fixed at load time, here %s buckets of 8 bytes; vsched's "
          "rhashtable grows with its entries)." % ipvs_buckets(meta), "",
          "| cache | objects held | object size B | slab bytes per connection |",
          "|---|---|---|---|"]
    for c in ("vsched_conn", "ip_vs_conn", "nf_conntrack"):
        L.append("| %s | %s | %s | %s |" % (
            c, cell(rows, "mem_objects", c, "-", "{:.0f}"),
            cell(rows, "mem_objsize", c, "-", "{:.0f}"),
            cell(rows, "mem_bytes_per_conn", c, "-", "{:.1f}")))
    v = med(rows, "mem_bytes_per_conn", "vsched_conn", "-")
    i = med(rows, "mem_bytes_per_conn", "ip_vs_conn", "-")
    ok = None if None in (v, i) else v <= i / 2
    L += ["", "Goal: bytes per connection ≤ half of IPVS's: %s (vsched/IPVS "
          "= %s)." % (goal_line("bytes per connection ≤ half of IPVS's", ok,
                                "vsched/IPVS = %s" % rat(v, i)), rat(v, i)), ""]
    return L


def section_control(rows, meta):
    L = ["## Control plane (issue 4, item 7)", ""]
    if not any(k[0] == "control_restore" for k in rows):
        return L + ["Not measured in this run.", ""]
    n = next(k[2] for k in rows if k[0] == "control_restore")
    L += ["%s services from one file with the same lines for both (`-A`, "
          "`-a ... -m -w 1`), each in a new namespace; then `-Ln` of all, then "
          "`-e` of one weight. Wall time, seconds, %s rounds alternating." % (
              meta.get("control_services", n), meta.get("control_rounds", "?")), "",
          "| operation | vsadm | ipvsadm | vsadm/ipvsadm | speed-up | goal |",
          "|---|---|---|---|---|---|"]
    goals = {"control_restore": 5, "control_list": 3, "control_edit": None}
    labels = {"control_restore": "restore (-R)", "control_list": "list (-Ln)",
              "control_edit": "one weight (-e)"}
    for m in ("control_restore", "control_list", "control_edit"):
        v, i = med(rows, m, "vsched", n), med(rows, m, "ipvs", n)
        g = goals[m]
        gs = "—"
        if g:
            gs = "≥ %d× faster: %s" % (g, goal_line(
                "%s of %s × 10 ≥ %d× faster than ipvsadm" % (labels[m], n, g),
                None if None in (v, i) or not v else i / v >= g,
                "%s× faster" % rat(i, v, "{:.1f}")))
        L.append("| %s | %s | %s | %s | %s | %s |" % (
            labels[m], cell(rows, m, "vsched", n, "{:.3f}"),
            cell(rows, m, "ipvs", n, "{:.3f}"), rat(v, i),
            rat(i, v, "{:.1f}×"), gs))
    L.append("")
    # Round by round, so that a slow first or last one shows.
    for m in ("control_restore", "control_list"):
        per = [(a, rows.get((m, a, n)) or []) for a in ("vsched", "ipvs")]
        if all(v for _, v in per):
            L.append("%s by round: %s." % (labels[m], "; ".join(
                "%s %s" % ("vsadm" if a == "vsched" else "ipvsadm",
                           ", ".join("{:.2f}".format(x) for x in v))
                for a, v in per)))
    L += ["Each trial runs in a namespace of its own, created for it: IPVS "
          "keeps deleted real servers in a trash list for a minute or so and "
          "walks it on every add, so in a namespace just cleared with `-C` "
          "its restore of 10,000 × 10 took three times as long (280 s "
          "against 92 s in a trial run with slub_debug).", ""]
    if n != "10000":
        L += ["The goals are set for 10,000 × 10; this run loaded %s × 10 "
              "(QUICK), so the figures only indicate." % n, ""]
    return L


MICRO_OPS = [
    ("conn_lookup", "connection lookup (a packet of an established flow)"),
    ("conn_new_expire", "entry made and expired (a new connection's table work)"),
    ("sched_rr", "scheduling decision, rr"),
    ("sched_wrr", "scheduling decision, wrr (weights 1..5)"),
    ("sched_lc", "scheduling decision, lc (with a connection opened and one closed)"),
    ("sched_wlc", "scheduling decision, wlc (weights 1..5; a connection opened and one closed)"),
    ("nat_tcp", "NAT rewrite of a TCP packet (address, port, checksum)"),
]


def section_flow(rows, meta):
    L = ["## Established flows and latency (issue 4, items 2 and 3)", ""]
    if not any(k[0] == "lat_p50_us" for k in rows):
        return L + ["Not measured in this run.", ""]
    L += ["One lane per anchor (the lanes of the cost part, with TCP 5201 "
          "and TCP 80 services). Per round, each lane in turn: iperf3 (%s) "
          "TCP with 4 streams for %s s (throughput received), then HTTP "
          "requests at %s per second, each on a new connection (vs-client; "
          "latency from connect to the last byte). %s rounds. The client "
          "and the servers share CPU 0 and are the bottleneck under "
          "emulation: these compare the paths end to end, not the "
          "balancers' costs (the cost part does). UDP small packets: the "
          "cost part's established-flow trials (64 flows, per packet)." % (
              meta.get("iperf3", "iperf3"), meta.get("flow_secs", "?"),
              meta.get("flow_rate", "?"), meta.get("flow_rounds", "?")), "",
          "| anchor | TCP Mbit/s | vsched/anchor | p50 µs | p90 µs | p99 µs "
          "| p99 anchor/vsched |",
          "|---|---|---|---|---|---|---|"]
    vt = med(rows, "flow_tcp_mbps", "vsched", "1")
    vl = med(rows, "lat_p99_us", "vsched", "1")
    for a in ["plain"] + ANCHORS:
        L.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            NAMES[a],
            cell(rows, "flow_tcp_mbps", a, "1", "{:.0f}"),
            rat(vt, med(rows, "flow_tcp_mbps", a, "1")),
            cell(rows, "lat_p50_us", a, "1", "{:.0f}"),
            cell(rows, "lat_p90_us", a, "1", "{:.0f}"),
            cell(rows, "lat_p99_us", a, "1", "{:.0f}"),
            rat(med(rows, "lat_p99_us", a, "1"), vl)))
    L.append("")
    return L


def section_micro(rows, meta):
    L = ["## In-kernel microbenchmark (issue 4, form b)", ""]
    keys = sorted({(k[1], k[2]) for k in rows if k[0] == "micro_ns"},
                  key=lambda k: (k[0], int(re.sub(r"\D", "", k[1]) or 0)))
    if not keys:
        return L + ["Not measured in this run.", ""]
    n = max(len(rows[("micro_ns",) + k]) for k in keys)
    L += ["KUnit suites `vsched-bench-*` (`CONFIG_VSCHED_KUNIT_BENCH`, "
          "tests/bench/micro.sh) run vsched's own functions in a loop under "
          "UML: millions of lookups, picks and rewrites, each checked "
          "(every lookup finds its entry, every server gets its weight's "
          "share, the checksums verify). UML runs natively on the host's "
          "CPU, not emulated, so these are real CPU nanoseconds, with UML's "
          "costlier memory mappings (a table larger than the caches pays "
          "more for its misses than on bare metal). Rounds: %d; median "
          "(min–max). IPVS has no such harness; the comparison with IPVS "
          "is the saturation form above." % n, "",
          "| operation | parameter | ns per operation |", "|---|---|---|"]
    names = dict(MICRO_OPS)
    for op, param in keys:
        L.append("| %s | %s | %s |" % (names.get(op, op), param.replace("=", " "),
                                       cell(rows, "micro_ns", op, param, "{:.0f}")))
    rr3 = med(rows, "micro_ns", "sched_wrr", "servers=3")
    rr1k = med(rows, "micro_ns", "sched_wrr", "servers=1000")
    L.append("")
    if rr3 and rr1k:
        L += ["Scheduling stays flat with the server count: wrr at 1,000 "
              "servers costs %.1f× its cost at 3 (a pick is one table "
              "lookup while a cycle of picks fits 65,536 entries; IPVS's "
              "wrr steps through the server list under a per-service "
              "lock)." % (rr1k / rr3), ""]
    return L


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", required=True)
    ap.add_argument("--vmlog", default=None)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rows, meta = load(args.data)
    accel = "unknown"
    verdict_line = ""
    if args.vmlog and os.path.exists(args.vmlog):
        with open(args.vmlog, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.search(r"\[vm\] accelerator: (\w+)", line)
                if m:
                    accel = m.group(1)
                if line.startswith("vm: "):
                    verdict_line = line.strip()
    accel_s = {"tcg": "TCG (software emulation, no KVM)",
               "kvm": "KVM"}.get(accel, accel)
    L = ["# vsched benchmark report", "",
         "Generated by `make bench%s` (tests/bench). **Software emulation "
         "distorts absolute figures; read the ratios.** Each measurement "
         "interleaves its anchors round by round; tables give the median "
         "and, in parentheses, min–max." % (
             " QUICK=1" if meta.get("quick") == "1" else ""), "",
         "| | |", "|---|---|",
         "| kernel | %s |" % meta.get("kernel", "?"),
         "| vCPUs | %s |" % meta.get("cpus", "?"),
         "| accelerator | %s |" % accel_s,
         "| memory | %s |" % meta.get("mem", "?"),
         "| boot | `%s` |" % meta.get("cmdline", "?").split(" rdinit")[0],
         "| host | %s |" % meta.get("host", "?"),
         "| iptables | %s |" % meta.get("iptables", "?"),
         "| nft | %s |" % meta.get("nft", "?"),
         "| ipvsadm | %s |" % meta.get("ipvsadm", "?"),
         "| vsadm | %s |" % meta.get("vsadm", "?").strip(),
         "| parts | %s |" % ", ".join(
             "%s: %s" % (k[5:], v) for k, v in sorted(meta.items())
             if k.startswith("part_")),
         "| VM verdict | %s |" % (verdict_line or "?")]
    if meta.get("note"):
        L.append("| note | %s |" % meta["note"])
    L += ["",
         "Pinning: the load generator, the servers and the bench scripts "
         "run on CPU 0; CPU 1 carries only the measured work: the "
         "balancer's receive path (steered there by RPS) or the "
         "health-check daemon under test (pinned there).", ""]
    L += section_health(rows, meta, args.out)
    L += section_cost(rows, meta, args.out)
    L += section_scale(rows, meta, args.out)
    L += section_sched(rows, meta, args.out)
    L += section_memory(rows, meta)
    L += section_control(rows, meta)
    L += section_flow(rows, meta)
    L += section_micro(rows, meta)
    L += ["## Not measured yet", ""]
    if not any(k[0] == "sched_new" for k in rows):
        L.append("- Scale in real servers with lc, wlc and mh (item 5): "
                 "not in this run.")
    L += ["- End-to-end TCP connection rate: under emulation the client, "
          "not the balancer, is the bottleneck (issue 4), so the "
          "new-connection figures above are CPU costs per connection "
          "measured on the balancer's CPU.", ""]
    L += ["## Closing note", "",
          "Goals in this run:", ""]
    for what, ok, detail in GOALS:
        L.append("- %s: %s%s" % (what, verdict(ok), " (%s)" % detail if detail else ""))
    L += ["", "What limits these figures: the VM runs under %s on a host "
          "shared with other VMs (%s), so the vCPUs are descheduled at "
          "random and every trial carries that noise; CPU time is read in "
          "10 ms ticks; trials are short to fit the time budget. The "
          "ratios and the growth with the service count are the result; "
          "a goal marked MISSED is missed in this run and needs either a "
          "fix or a quieter, longer run (make bench without QUICK, on "
          "KVM) to show otherwise." % (accel_s, meta.get("host", "load unknown")), ""]
    with open(os.path.join(args.out, "REPORT.md"), "w") as f:
        f.write("\n".join(L))


if __name__ == "__main__":
    main()
