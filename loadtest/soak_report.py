#!/usr/bin/env python3
"""The soak's report (soak.sh): OUT_PREFIX.json (samples and summary), .md (a row per minute and the
summary) and .png (RSS and Redis memory against minutes, the event rate below; needs matplotlib,
else no plot and the report says so). Figures are reported as measured, never asserted.

    soak_report.py WORK_DIR OUT_PREFIX NUDGE_BINARY RATE MINUTES CUSTOMERS ZIPF MAX_WAIT
"""
import json
import os
import subprocess
import sys

work, prefix, nudge_bin = sys.argv[1], sys.argv[2], sys.argv[3]
rate, minutes, customers = float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
zipf, max_wait = sys.argv[7], sys.argv[8]
engine_fetch_wait = sys.argv[9] if len(sys.argv) > 9 else "5ms"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MiB = 1024 * 1024


def sh(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def read(name, default=None):
    try:
        with open(os.path.join(work, name)) as f:
            return json.load(f) if name.endswith(".json") else f.read().strip()
    except (OSError, ValueError):
        return default


samples = [json.loads(line) for line in open(os.path.join(work, "samples.jsonl")) if line.strip()]
produce = read("produce.json", {})
drain = read("drain.json", {})
# Samples 0..minutes are on the minute of the load (0: nudge run up, before the first event); the
# last one, if there, was taken after the drain.
timed = [s for s in samples if s.get("phase", "load") == "load"]
after_drain = samples[-1] if samples and samples[-1].get("phase") == "drained" else None
for s in samples:
    s["minute"] = round(s["t"] / 60, 2)

for i, s in enumerate(timed):
    previous = timed[i - 1] if i > 0 else None
    dt = (s["t"] - previous["t"]) if previous else 0
    def per_second(field):
        if not previous or dt <= 0 or s.get(field) is None or previous.get(field) is None:
            return None
        return round((s[field] - previous[field]) / dt, 1)
    s["events_per_s"] = per_second("produced")  # the producer's own count (topic end offsets: "events")
    s["committed_per_s"] = per_second("engine_committed")
    s["outbound_per_s"] = per_second("outbound")
    s["nudge_cores"] = round((s["nudge_cpu_s"] - previous["nudge_cpu_s"]) / dt, 2) if previous and dt > 0 else None
    s["tansu_cores"] = round((s["tansu_cpu_s"] - previous["tansu_cpu_s"]) / dt, 2) if previous and dt > 0 else None
    s["engine_lag"] = (s["delivered"] - s["engine_committed"]) if s.get("engine_committed") is not None else None


def at(minute):
    """The sample nearest to `minute` of load."""
    return min(timed, key=lambda s: abs(s["minute"] - minute))


def slope(points):
    """Least-squares slope of (x, y) points."""
    if len(points) < 2:
        return 0.0
    n = len(points)
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    var = sum((p[0] - mx) ** 2 for p in points)
    return sum((p[0] - mx) * (p[1] - my) for p in points) / var if var else 0.0


last = timed[-1]
warm = 10 if last["minute"] >= 20 else max(1, round(last["minute"] / 3))  # "the first 10 minutes"
w = at(warm)
first = timed[0]
rss = lambda s: s["nudge_rss_kib"] / 1024
red = lambda s: s["redis_used_memory"] / MiB
tail = [s for s in timed if s["minute"] >= w["minute"]]

rss_growth_first = rss(w) - rss(first)
rss_growth_rest = rss(last) - rss(w)
rss_slope_rest = slope([(s["minute"], rss(s)) for s in tail])
red_growth_first = red(w) - red(first)
red_growth_rest = red(last) - red(w)
keys_growth_rest = last["redis_keys"] - w["redis_keys"]
bytes_per_key_warm = (w["redis_used_memory"] - first["redis_used_memory"]) / max(1, w["redis_keys"] - first["redis_keys"])
bytes_per_new_key_rest = ((last["redis_used_memory"] - w["redis_used_memory"]) / keys_growth_rest) if keys_growth_rest else None
events_sent = produce.get("produced") or last.get("produced") or 0
rates = [s["events_per_s"] for s in timed if s.get("events_per_s") is not None]

rest_minutes = round(last["minute"] - w["minute"])
rss_rest_pct = 100 * rss_growth_rest / max(1e-9, rss(w))
if abs(rss_slope_rest) < 0.5 and abs(rss_rest_pct) < 5:
    rss_verdict = (f"flat after the first {warm} min: {rss_growth_rest:+.1f} MiB ({rss_rest_pct:+.1f}%) over the last "
                   f"{rest_minutes} min, slope {rss_slope_rest:+.2f} MiB/min (the first {warm} min: {rss_growth_first:+.1f} MiB)")
else:
    rss_verdict = (f"grows after the first {warm} min: {rss_growth_rest:+.1f} MiB ({rss_rest_pct:+.1f}%) over the last "
                   f"{rest_minutes} min, slope {rss_slope_rest:+.2f} MiB/min (the first {warm} min: {rss_growth_first:+.1f} MiB)")
red_rest_pct = 100 * red_growth_rest / max(1e-9, red(w))
red_verdict = (f"{red_growth_rest:+.1f} MiB ({red_rest_pct:+.1f}%) over the last {rest_minutes} min with "
               f"{keys_growth_rest:+,} keys ({w['redis_keys']:,} -> {last['redis_keys']:,}); first {warm} min "
               f"{red_growth_first:+.1f} MiB for {w['redis_keys'] - first['redis_keys']:+,} keys "
               f"({bytes_per_key_warm:,.0f} B per key)")
if bytes_per_new_key_rest is not None:
    red_verdict += f"; the later growth is {bytes_per_new_key_rest:,.0f} B per added key"

machine = {
    "nproc": os.cpu_count(),
    "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
    "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), ""),
    "kernel": os.uname().release,
    "redis": sh("redis-server", "--version"),
    "kafka_broker": "tansu, in-memory storage: " + sh(os.path.join(root, ".tools/bin/tansu"), "--version"),
    "nudge_commit": sh("git", "-C", root, "rev-parse", "--short", "HEAD"),
    "nudge_tree_dirty": bool(sh("git", "-C", root, "status", "--porcelain", "--", "Sources", "Package.swift")),
    "nudge_binary_built": sh("date", "-u", "-r", nudge_bin, "+%Y-%m-%dT%H:%M:%SZ"),
    "nudge_build_warning": read("build-warning.txt"),
    "load_average_at_start": read("loadavg-start.txt"),
    "load_average_at_end": sh("cat", "/proc/loadavg"),
}
summary = {
    "target_rate": rate, "minutes": minutes, "customers": customers, "zipf": float(zipf), "max_wait": max_wait,
    "events_sent": events_sent, "delivered": produce.get("delivered"), "failed": produce.get("failed"),
    "achieved_rate": round(produce.get("rate", 0), 1), "producer_seconds": round(produce.get("seconds", 0), 1),
    "per_minute_rate_min": min(rates) if rates else None, "per_minute_rate_max": max(rates) if rates else None,
    "engine_committed_end": last.get("engine_committed"), "engine_lag_end": last.get("engine_lag"),
    "drained_after_load": drain.get("drained"), "drain_seconds": drain.get("seconds"),
    "outbound_messages": (after_drain or last).get("outbound"), "mails_delivered": (after_drain or last).get("mails_delivered"),
    "dead_letter": (after_drain or last).get("dead_letter"),
    "nudge_rss_mib": {"start": round(rss(first), 1), "end": round(rss(last), 1), "max": round(max(rss(s) for s in timed), 1),
                      f"at_{warm}_min": round(rss(w), 1)},
    "redis_used_memory_mib": {"start": round(red(first), 1), "end": round(red(last), 1),
                              "max": round(max(red(s) for s in timed), 1), f"at_{warm}_min": round(red(w), 1)},
    "redis_keys": {"start": first["redis_keys"], "end": last["redis_keys"], "max": max(s["redis_keys"] for s in timed),
                   f"at_{warm}_min": w["redis_keys"]},
    "pending_timers_end": last["pending_timers"],
    "tansu_rss_mib": {"start": round(first["tansu_rss_kib"] / 1024, 1), "end": round(last["tansu_rss_kib"] / 1024, 1)},
    "rss_growth_first_mib": round(rss_growth_first, 1), "rss_growth_rest_mib": round(rss_growth_rest, 1),
    "rss_slope_rest_mib_per_min": round(rss_slope_rest, 3),
    "redis_growth_first_mib": round(red_growth_first, 1), "redis_growth_rest_mib": round(red_growth_rest, 1),
    "redis_keys_growth_rest": keys_growth_rest, "redis_bytes_per_key_first": round(bytes_per_key_warm),
    "redis_bytes_per_added_key_rest": round(bytes_per_new_key_rest) if bytes_per_new_key_rest is not None else None,
    "warm_minutes": warm, "rss_verdict": rss_verdict, "redis_verdict": red_verdict,
    "key_kinds_start": first.get("key_kinds"), "key_kinds_end": (after_drain or last).get("key_kinds"),
}

plot_note = None
png = prefix + ".png"
try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [s["minute"] for s in timed]
    fig, (top, mid, bottom) = plt.subplots(3, 1, figsize=(10, 10), sharex=True,
                                           gridspec_kw={"height_ratios": [3, 2, 2]})
    top.plot(xs, [rss(s) for s in timed], "o-", color="tab:blue", label="nudge run RSS (VmRSS)")
    top.plot(xs, [red(s) for s in timed], "s-", color="tab:red", label="Redis used_memory")
    top.set_ylabel("MiB")
    top.set_ylim(bottom=0)
    top.grid(alpha=0.3)
    top.legend(loc="upper left")
    top.set_title(f"Nudge soak {os.path.basename(prefix)}: {rate:,.0f} ev/s target, {customers:,} customers "
                  f"(Zipf s={zipf}), waits capped at {max_wait}", fontsize=10)
    mx = [s["minute"] for s in timed if s.get("events_per_s") is not None]
    mid.plot(mx, [s["events_per_s"] for s in timed if s.get("events_per_s") is not None], "o-", color="tab:green",
             label="events produced /s")
    mid.plot(mx, [s["committed_per_s"] or 0 for s in timed if s.get("events_per_s") is not None], "x--",
             color="tab:olive", label="events committed by the engine /s")
    ob = [s for s in timed if s.get("outbound_per_s") is not None]
    mid.plot([s["minute"] for s in ob], [s["outbound_per_s"] for s in ob], "d:", color="tab:cyan",
             label="outbound messages /s")
    mid.axhline(rate, color="grey", lw=0.8, ls=":", label="target")
    mid.set_ylabel("per second")
    mid.set_ylim(0, max([rate] + [s["events_per_s"] for s in timed if s.get("events_per_s")]) * 1.15)
    mid.grid(alpha=0.3)
    mid.legend(loc="lower right", fontsize=8)
    bottom.plot(xs, [s["redis_keys"] / 1000 for s in timed], "s-", color="tab:purple", label="Redis keys (k)")
    bottom.plot(xs, [s["pending_timers"] / 1000 for s in timed], "^-", color="tab:orange", label="pending timers (k)")
    bottom.set_ylabel("thousands")
    bottom.set_xlabel("minutes of load")
    bottom.set_ylim(bottom=0)
    bottom.grid(alpha=0.3)
    bottom.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=110)
except ImportError:
    plot_note = "matplotlib not installed (loadtest/.venv-plot): no plot"
    png = None

report = {"config": summary | {}, "machine": machine, "summary": summary, "samples": samples,
          "produce": produce, "drain": {k: v for k, v in drain.items() if k != "timeline"}, "plot": png and os.path.basename(png),
          "plot_note": plot_note, "rules_capped": read("rules-capped.txt", "")}
report.pop("config")
with open(prefix + ".json", "w") as f:
    json.dump(report, f, indent=1)


def fmt(value, digits=0):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


stamp = os.path.basename(prefix)
lines = [
    f"# Nudge soak {stamp}",
    "",
    "Produced by `bash loadtest/soak.sh`. Figures are measured, not asserted.",
    "",
    "## Setup",
    "",
    f"- `nudge run` (engine, dispatcher, API) from {machine['nudge_commit']}, the samples in `rules/` with every wait, "
    f"window, timeout and absence capped at {max_wait} (contact policy unchanged: caps per day, 24 h dedup)",
    f"- open-loop producer (`nudge-load produce --rate`): realistic mix, Zipf s={zipf} over {customers:,} customers, "
    f"target {rate:,.0f} ev/s for {minutes} min",
    f"- engine `fetch_wait` {engine_fetch_wait} (`LT_ENGINE_FETCH_WAIT`; shipped default 5ms: Tansu 0.6 starves 5 ms fetches "
    "on a saturated machine, see loadtest/soak.sh)",
    "- sampled every minute: VmRSS of `nudge run`, Redis `INFO memory` used_memory, DBSIZE, the engine's timer sets, "
    "topic end offsets, the engine group's committed offsets, mails in the sink, load average",
    "- private stack: Tansu (in-memory broker), Redis (AOF, no rewrite during the soak), PostgreSQL, the aiosmtpd sink",
    f"- machine: {machine['nproc']} cores, {machine['memory_gb']} GB, {machine['cpu']}, kernel {machine['kernel']}; "
    f"{machine['redis']}; {machine['kafka_broker']}",
    f"- load average at start: {machine['load_average_at_start']}; at end: {machine['load_average_at_end']} "
    "(the machine is shared)",
]
if machine["nudge_build_warning"]:
    lines.append(f"- WARNING: {machine['nudge_build_warning']}")
lines += [
    "",
    "## Summary",
    "",
    "| figure | value |",
    "|---|---|",
    f"| events sent | {fmt(events_sent)} in {fmt(produce.get('seconds'), 1)} s: **{fmt(produce.get('rate'), 0)} ev/s** "
    f"(target {rate:,.0f}; per minute {fmt(summary['per_minute_rate_min'], 0)} - {fmt(summary['per_minute_rate_max'], 0)}) |",
    f"| engine at the end of the load | committed {fmt(last.get('engine_committed'))}, lag {fmt(last.get('engine_lag'))}; "
    f"drained afterwards: {drain.get('drained')} ({fmt(drain.get('seconds'), 1)} s) |",
    f"| outbound messages / mails delivered to the sink / dead letters | {fmt(summary['outbound_messages'])} / "
    f"{fmt(summary['mails_delivered'])} / {fmt(summary['dead_letter'])} |",
    f"| nudge run RSS start / at {warm} min / end / max | {summary['nudge_rss_mib']['start']} / "
    f"{summary['nudge_rss_mib'][f'at_{warm}_min']} / {summary['nudge_rss_mib']['end']} / {summary['nudge_rss_mib']['max']} MiB |",
    f"| Redis used_memory start / at {warm} min / end / max | {summary['redis_used_memory_mib']['start']} / "
    f"{summary['redis_used_memory_mib'][f'at_{warm}_min']} / {summary['redis_used_memory_mib']['end']} / "
    f"{summary['redis_used_memory_mib']['max']} MiB |",
    f"| Redis keys start / at {warm} min / end | {fmt(first['redis_keys'])} / {fmt(w['redis_keys'])} / {fmt(last['redis_keys'])} "
    f"(pending timers at the end {fmt(last['pending_timers'])}) |",
    f"| RSS | {rss_verdict} |",
    f"| Redis | {red_verdict} |",
    f"| Tansu RSS start / end (not Nudge's) | {summary['tansu_rss_mib']['start']} / {summary['tansu_rss_mib']['end']} MiB |",
    "",
    "Tansu, the development broker, keeps every record in memory for as long as it runs: its RSS grows with "
    "every event and outbound message and is the broker's, not Nudge's (a real Kafka keeps them on disk).",
    "",
]
if png:
    lines += [f"![soak]({os.path.basename(png)})", ""]
else:
    lines += [f"No plot: {plot_note}.", ""]
lines += [
    "## Per minute",
    "",
    "| min | UTC | nudge RSS MiB | Redis MiB | Redis keys | timers | events produced | ev/s | engine lag | outbound | out/s | mails | nudge cores | Tansu cores | Tansu RSS MiB | load 1m |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
]
for s in samples:
    label = f"{s['minute']:g}" if s.get("phase", "load") == "load" else "drained"
    lines.append(
        f"| {label} | {s['utc']} | {rss(s):,.1f} | {red(s):,.1f} | {fmt(s['redis_keys'])} | {fmt(s['pending_timers'])} | "
        f"{fmt(s.get('produced'))} | {fmt(s.get('events_per_s'), 0)} | {fmt(s.get('engine_lag'))} | {fmt(s.get('outbound'))} | "
        f"{fmt(s.get('outbound_per_s'), 0)} | {fmt(s.get('mails_delivered'))} | {fmt(s.get('nudge_cores'), 2)} | "
        f"{fmt(s.get('tansu_cores'), 2)} | {s['tansu_rss_kib'] / 1024:,.0f} | {s['loadavg'][0]} |")
kinds = [(s, s["key_kinds"]) for s in samples if s.get("key_kinds")]
if kinds:
    names = sorted({k for _, d in kinds for k in d}, key=lambda k: -max(d.get(k, 0) for _, d in kinds))
    lines += ["", "## Redis keys by kind (SCAN, every fifth minute)", "",
              "| min | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for s, d in kinds:
        label = f"{s['minute']:g}" if s.get("phase", "load") == "load" else "drained"
        lines.append(f"| {label} | " + " | ".join(fmt(d.get(k)) for k in names) + " |")
capped = read("rules-capped.txt", "")
if capped:
    lines += ["", "## Rules: the lines capped for the soak", "", "```", capped, "```"]
with open(prefix + ".md", "w") as f:
    f.write("\n".join(lines) + "\n")
print(json.dumps({k: summary[k] for k in ("events_sent", "achieved_rate", "nudge_rss_mib", "redis_used_memory_mib",
                                          "rss_verdict", "redis_verdict")}, indent=1))
