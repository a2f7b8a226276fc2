#!/usr/bin/env python3
"""Assembles one load-test run (the JSON files run.sh left in its work folder) into
results/<stamp>.json and results/<stamp>.md, with the machine's description and the issue's goals.
Reports figures; asserts nothing.   usage: report.py WORK_DIR OUT_PREFIX NUDGE_BINARY"""
import json
import os
import platform
import re
import subprocess
import sys

work, out, nudge_bin = sys.argv[1], sys.argv[2], sys.argv[3]


def load(name):
    try:
        with open(os.path.join(work, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def text(name):
    try:
        with open(os.path.join(work, name)) as f:
            return f.read()
    except OSError:
        return ""


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""


def cpu_model():
    for line in open("/proc/cpuinfo").read().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


machine = {
    "nproc": os.cpu_count(),
    "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
    "cpu": cpu_model(),
    "kernel": platform.release(),
    "os": sh(". /etc/os-release && echo $PRETTY_NAME"),
    "swift": sh("swift --version 2>&1 | head -1"),
    "librdkafka": sh("pkg-config --modversion rdkafka"),
    "redis": sh("redis-server --version"),
    "kafka_broker": "tansu, in-memory storage: " + sh("%s/.tools/bin/tansu --version 2>&1 | head -1" % os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "wrk": sh("wrk -v 2>&1 | head -1"),
    "nudge_commit": sh("git -C %s rev-parse --short HEAD" % os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "nudge_build_warning": text("build-warning.txt").strip() or None,
    "nudge_binary_built": sh("date -u -r %s +%%Y-%%m-%%dT%%H:%%M:%%SZ" % nudge_bin),
    "load_average_at_start": text("loadavg-start.txt").strip(),
    "load_average_at_end": " ".join(str(round(x, 2)) for x in os.getloadavg()),
    "other_processes_note": "the machine is shared; load averages above show other work during the run",
    "nudge_tree_dirty": bool(sh("git -C %s status --porcelain -- Sources Package.swift" % os.path.dirname(os.path.dirname(os.path.abspath(__file__))))),
}

_h = [1.0 / k for k in range(1, 1000001)]
zipf_top = (round(_h[0] / sum(_h), 4), round(sum(_h[:100]) / sum(_h), 4))

redis_bench = {}
for line in text("redis-benchmark.txt").splitlines():
    m = re.match(r"(SET|GET): ([\d.]+) requests per second(?:, p50=([\d.]+) msec)?", line)
    if m:
        redis_bench[m.group(1).lower() + "_per_s"] = float(m.group(2))

throughput = load("throughput.json") or {}
ceiling = load("consume-ceiling.json") or {}
produce_tp = load("produce-throughput.json") or {}
scen = {n: load("scenarios-%s.json" % n) for n in (1, 10, 100, "100i")}
lat = {r: load("latency-%d.json" % r) for r in (1000, 10000)}
lat_fetch = {r: load("latency-fetch5-%d.json" % r) for r in (1000, 5000, 10000)}
roundtrip = {r: load("broker-roundtrip-%d.json" % r) for r in (1000, 10000)}
tp_cpu = load("throughput-cpu.json") or {}
timers = load("timers.json") or {}
mem = load("memory.json") or {}
seed_lag = load("timers-seed-lag.json") or {}
content = load("content.json") or {"skipped": "not run"}
produce_drafts = load("produce-drafts.json") or {}
drafts_nudge = load("drafts-nudge.json") or {}
drafts_quix = load("drafts-quix.json") or {}
drafts_quix_app = load("drafts-quix-app.json") or {}


def hist_quantiles(metrics_file, name):
    """Quantiles from a Prometheus histogram by linear interpolation inside buckets."""
    buckets = []
    for line in text(metrics_file).splitlines():
        m = re.match(r'%s_bucket\{le="([^"]+)"\} ([\d.e+]+)' % name, line)
        if m:
            le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
            buckets.append((le, float(m.group(2))))
    if not buckets or buckets[-1][1] == 0:
        return None
    buckets.sort()
    total = buckets[-1][1]
    res = {"count": int(total)}
    for q in (0.5, 0.99):
        target = q * total
        prev_le, prev_c = 0.0, 0.0
        for le, c in buckets:
            if c >= target:
                if le == float("inf"):
                    res["p%d_s" % int(q * 100)] = "> %g" % prev_le
                else:
                    frac = 0 if c == prev_c else (target - prev_c) / (c - prev_c)
                    res["p%d_s" % int(q * 100)] = round(prev_le + frac * (le - prev_le), 4)
                break
            prev_le, prev_c = le, c
    return res


per_customer = {}
if mem.get("profiles"):
    per_customer["without_instance_bytes"] = round((mem["after_profiles"] - mem["base"]) / mem["profiles"])
if mem.get("calibration"):
    per_customer["with_instance_and_timer_bytes"] = round((mem["after_calibration"] - mem["after_profiles"]) / mem["calibration"])
    per_customer["with_instance_and_timer_bytes_measured_on"] = "%d customers, before any timer fired" % mem["calibration"]
if mem.get("timers"):
    base = mem.get("after_calibration", mem["after_profiles"])
    per_customer["with_instance_and_timer_bytes_full_seed"] = round((mem["after_timers"] - base) / mem["timers"])

engine_rate = throughput.get("rate")
ceiling_rate = ceiling.get("rate")
s1 = (scen.get(1) or {}).get("rate")
s100 = (scen.get(100) or {}).get("rate")
s100i = (scen.get("100i") or {}).get("rate")
dn_rate = drafts_nudge.get("rate")
dq_rate = drafts_quix.get("rate")

result = {
    "stamp": os.path.basename(out),
    "machine": machine,
    "generator": {k: produce_tp.get(k) for k in ("produced", "rate", "avg_bytes", "mix")}
    | {"customers": 1000000, "zipf_exponent": 1.0, "hottest_customer_share": zipf_top[0], "top_100_share": zipf_top[1]},
    "ceilings": {"kafka_consume_per_s": ceiling_rate, "kafka_consume_mb_per_s": ceiling.get("mb_per_s"),
                 "redis_benchmark_P100": redis_bench},
    "engine_throughput": {k: throughput.get(k) for k in ("rate", "seconds", "committed", "drained", "committed_at_start")}
    | tp_cpu | {"events": produce_tp.get("produced"), "rules": "rules/*.yaml (9 sample scenarios)",
       "ratio_to_consume_ceiling": round(engine_rate / ceiling_rate, 4) if engine_rate and ceiling_rate else None},
    "scenarios": {str(n): ({k: v for k, v in (scen[n] or {}).items() if k != "timeline"}) for n in scen},
    "scenarios_100_vs_1": round(s100 / s1, 3) if s1 and s100 else None,
    "scenarios_100_one_listening_vs_1": round(s100i / s1, 3) if s1 and s100i else None,
    "broker_roundtrip": {str(r): roundtrip[r] for r in roundtrip},
    "latency": {str(r): lat[r] for r in lat},
    "latency_engine_fetch_wait_5ms": {str(r): lat_fetch[r] for r in lat_fetch},
    "timers": {"count": mem.get("timers"), "lateness_from_outbound": timers,
               "seeding": {k: seed_lag.get(k) for k in ("rate", "seconds", "drained")},
               "seeded_before_window": (mem.get("seeded_at_ms", 0) <= mem.get("due_start_ms", 0)) if mem else None,
               "lateness_histogram_metrics": hist_quantiles("metrics-timers.txt", "nudge_engine_timer_lateness_seconds")},
    "redis_memory_per_customer": per_customer | {"raw": mem},
    "content_api": content,
    "draft_reminders_vs_quix": {
        "events": produce_drafts.get("produced"), "customers": produce_drafts.get("customers"),
        "mix": produce_drafts.get("mix"),
        "nudge": {k: v for k, v in drafts_nudge.items() if k != "timeline"},
        "quix_streams": {k: v for k, v in drafts_quix.items() if k != "timeline"},
        "quix_streams_own_count": drafts_quix_app,
        "nudge_vs_quix": round(dn_rate / dq_rate, 2) if dn_rate and dq_rate else None,
        "measured_as": "both: nudge-load wait-lag on the group's committed offsets, first commit to the last record",
    },
    "profile": {
        label: {"self": (text("perf-self-%s.txt" % label) or (text("perf-top.txt") if label == "throughput" else "")).splitlines()[:25],
                "inclusive_nudge": text("perf-inclusive-%s.txt" % label).splitlines()[:30]}
        for label in ("throughput", "scenarios100")
    },
}
with open(out + ".json", "w") as f:
    json.dump(result, f, indent=2, sort_keys=False)


def fmt(v, unit=""):
    if v is None:
        return "n/a"
    if isinstance(v, float):
        v = round(v, 2) if v < 100 else round(v)
    return "%s%s" % (("{:,}".format(v) if isinstance(v, int) else v), unit)


def cpu_note(d):
    """CPU seconds the engine and the broker used while a latency probe ran (produce and drain)."""
    parts = ["%s %s CPU-s" % (who, fmt(d[key]))
             for who, key in (("engine", "engine_cpu_seconds"), ("broker", "broker_cpu_seconds")) if d.get(key) is not None]
    return "; " + ", ".join(parts) + " over produce + drain" if parts else ""


def lat_row(r, table=None, note="", measure="end-to-end latency", goal="p99 < 25 ms at 10k"):
    d = (table if table is not None else lat).get(r) or {}
    c = d.get("to_consumer") or {}
    return "| %s at %s ev/s%s (achieved %s ev/s) | p50 %s / p95 %s / p99 %s / p999 %s ms (n=%s%s) | %s |" % (
        measure, fmt(r), note, fmt(d.get("achieved_rate")), fmt(c.get("p50_ms")), fmt(c.get("p95_ms")),
        fmt(c.get("p99_ms")), fmt(c.get("p999_ms")), fmt(c.get("count")), cpu_note(d), goal)


tl = timers
hq = result["timers"]["lateness_histogram_metrics"] or {}
rows = [
    "| measure | figure | ceiling / goal |",
    "|---|---|---|",
    "| generator (realistic mix, Zipf s=1 over 1M customers; hottest customer %s%% of events, top 100 %s%%) | %s ev/s, %s B/event | - |" % (
        round(zipf_top[0] * 100, 1), round(zipf_top[1] * 100, 1), fmt(produce_tp.get("rate")), fmt(produce_tp.get("avg_bytes"))),
    "| engine throughput, 9 sample scenarios, %s events | **%s ev/s** (drained: %s) | consume-only ceiling %s ev/s; goal >= 0.5x (%s) |" % (
        fmt(produce_tp.get("produced")), fmt(engine_rate), throughput.get("drained"), fmt(ceiling_rate),
        fmt(result["engine_throughput"]["ratio_to_consume_ceiling"], "x")),
    "| engine CPU during the throughput run | %s CPU-s over a %s s drain (%s cores busy of %s) | - |" % (
        fmt(tp_cpu.get("engine_cpu_seconds")), fmt(throughput.get("seconds")),
        fmt(round(tp_cpu["engine_cpu_seconds"] / throughput["seconds"], 2) if tp_cpu.get("engine_cpu_seconds") and throughput.get("seconds") else None), machine["nproc"]),
    "| Redis pipelined ceiling (redis-benchmark -P 100) | SET %s/s, GET %s/s | - |" % (fmt(redis_bench.get("set_per_s")), fmt(redis_bench.get("get_per_s"))),
    "| throughput, 1 / 10 / 100 abandoned-cart copies | %s / %s / %s ev/s | 100 >= 0.8x of 1 (%s) |" % (
        fmt(s1), fmt((scen.get(10) or {}).get("rate")), fmt(s100), fmt(result["scenarios_100_vs_1"], "x")),
    "| throughput, abandoned-cart + 99 scenarios listening to other events | %s ev/s | >= 0.8x of 1 (%s) |" % (
        fmt(s100i), fmt(result["scenarios_100_one_listening_vs_1"], "x")),
    lat_row(1000, roundtrip, measure="broker round trip, no engine", goal="floor: the engine path crosses the broker twice"),
    lat_row(10000, roundtrip, measure="broker round trip, no engine", goal="floor: the engine path crosses the broker twice"),
    lat_row(1000),
    lat_row(10000),
    lat_row(1000, lat_fetch, ", engine fetch.wait.max.ms=5"),
    lat_row(5000, lat_fetch, ", engine fetch.wait.max.ms=5"),
    lat_row(10000, lat_fetch, ", engine fetch.wait.max.ms=5"),
    "| timer lateness, %s timers due within 60 s (seeded %s s %s the window opened) | p50 %s / p99 %s ms (fired %s, span %s s) | p99 < 1 s |" % (
        fmt(mem.get("timers")), fmt(abs(mem.get("seeded_at_ms", 0) - mem.get("due_start_ms", 0)) / 1000 if mem else None),
        "before" if result["timers"]["seeded_before_window"] else "AFTER",
        fmt(tl.get("p50_ms")), fmt(tl.get("p99_ms")), fmt(tl.get("fired")), fmt(tl.get("fire_span_seconds"))),
    "| timer lateness from /metrics histogram | p50 %s / p99 %s s | - |" % (fmt(hq.get("p50_s")), fmt(hq.get("p99_s"))),
    "| Redis per customer, no instance | %s B | - |" % fmt(per_customer.get("without_instance_bytes")),
    "| Redis per customer, active instance + timer | %s B (%s B over the full timer seed) | <= 1024 B |" % (
        fmt(per_customer.get("with_instance_and_timer_bytes")), fmt(per_customer.get("with_instance_and_timer_bytes_full_seed"))),
    "| draft-reminder stream alone, %s events over %s customers (8 partitions): Nudge, draft-application-reminder.yaml + policy.yaml | **%s ev/s** (drained: %s; %s CPU-s; %s pending timers, one per open draft) | goal >= 2x the Quix Streams figure (%s) |" % (
        fmt(produce_drafts.get("produced")), fmt(produce_drafts.get("customers")), fmt(dn_rate),
        drafts_nudge.get("drained"), fmt(drafts_nudge.get("engine_cpu_seconds")), fmt(drafts_nudge.get("pending_timers")),
        fmt(result["draft_reminders_vs_quix"]["nudge_vs_quix"], "x")),
    "| the same topic, Quix Streams %s (loadtest/quix: RocksDB state, reminders in event time, no wall-clock timers or contact policy) | %s | - |" % (
        drafts_quix_app.get("quixstreams", ""),
        "not measured: " + drafts_quix["skipped"] if drafts_quix.get("skipped") else
        "**%s ev/s** (drained: %s; app's own first-to-last-record count %s ev/s, %s CPU-s; %s reminders emitted)" % (
            fmt(dq_rate), drafts_quix.get("drained"), fmt(drafts_quix_app.get("rate")),
            fmt(drafts_quix_app.get("cpu_seconds")), fmt(drafts_quix_app.get("reminders")))),
    "| content API GET /v1/content | %s | p99 < 2 ms at 5k req/s |" % (
        content.get("skipped") and "not measured: " + content["skipped"] or
        "p50 %s / p99 %s / p999 %s ms at %s req/s (open loop, target %s; non-2xx %s; service time p50 %s / p99 %s ms; "
        "cores busy: %s; nudge %s µs CPU per request)" % (
            fmt(content.get("p50_ms")), fmt(content.get("p99_ms")), fmt(content.get("p999_ms")), fmt(content.get("rate")),
            fmt(content.get("target_rate")), fmt(content.get("non_2xx")), fmt(content.get("service_p50_ms")),
            fmt(content.get("service_p99_ms")),
            ", ".join("%s %s" % (k, v) for k, v in (content.get("cores") or {}).items()) or "-",
            fmt(content.get("nudge_cpu_us_per_request")))),
]
md = ["# Nudge load test %s" % result["stamp"], "",
      "Produced by `bash loadtest/run.sh`. Figures are measured, not asserted; each sits next to its ceiling.", "",
      "## Machine", ""]
md += ["- %s: %s" % (k, v) for k, v in machine.items()]
md += ["", "## Figures", ""] + rows
for label, title in (("throughput", "engine during the throughput run"), ("scenarios100", "engine with 100 scenarios")):
    prof = result["profile"][label]
    md += ["", "## Profile: %s (perf -g, 499 Hz)" % title, "", "Self time:", "", "```"]
    md += prof["self"] or ["(no profile)"]
    md += ["```", "", "Inclusive time of Nudge's functions and the codecs they call:", "", "```"]
    md += prof["inclusive_nudge"] or ["(none)"]
    md += ["```"]
md += [""]
with open(out + ".md", "w") as f:
    f.write("\n".join(md))
print("\n".join(rows))
