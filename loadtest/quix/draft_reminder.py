#!/usr/bin/env python3
"""rules/draft-application-reminder.yaml, written for Quix Streams 3.x: the comparison of issue 12.

What it does, per customer (the Kafka key, as Nudge partitions; the state is Quix's RocksDB store,
one JSON dict per customer, backed by Quix's changelog topic as Quix does by default):
  - `Application Status Changed` with status "draft" for an application that has no open entry:
    records the entry with its due time = the event's timestamp + 24 h (Nudge: trigger, entry key
    application_id, one instance per key while it is active);
  - the same application with any other status: drops the entry (Nudge: goal `left_draft`);
  - before applying an event, every entry of that customer that is due in EVENT time (due <= the
    event's timestamp) emits one reminder record to the output topic and stays "sent" for 14 more
    days (Nudge: send_reminder, then give_user_time 14d), during which a draft of the same
    application opens nothing new and leaving draft still drops it;
  - commits every `--commit-interval` seconds (at-least-once, Quix's default guarantee).

What it does NOT do, compared with Nudge:
  - no wall-clock timers: Quix Streams has none. A reminder goes out only when a later event of
    the same customer arrives past the due time; a customer who never comes back is never
    reminded. Nudge keeps durable timers per partition (Redis) and sends at the due time. In the
    load test's stream (7 days of event time over the run) this app emits reminders during the
    run while Nudge only schedules them (its 24 h run from the wall clock);
  - no contact policy (caps, quiet hours, opt-outs, dedup, priorities), no profile (`first_name`
    comes from identify traits in Nudge), no outbox or dispatcher hand-off, no message ids that
    make a replay recognisable (at-least-once: a replay after a crash can send a reminder twice;
    Nudge is effectively once), no scenario versions or catalog reloads.
So it does less work per event than Nudge; the figure is a reference, not a like-for-like port.

Measure: `--count N` stops the app after N input records (filtered ones included) and writes
`--result FILE` (JSON: records, reminders, first-to-last-record seconds, rate and CPU seconds, the
Quix version);
the load test also times its consumer group's committed offsets with `nudge-load wait-lag`, the way
it times Nudge. `--max-seconds` bounds the run.
"""
import argparse
import json
import threading
import time
from datetime import datetime

import quixstreams
from quixstreams import Application

DAY_MS = 86_400_000
REMIND_AFTER_MS = DAY_MS  # params.remind_after: 24h
GIVE_USER_TIME_MS = 14 * DAY_MS  # give_user_time: 14d
WAITING, SENT = 0, 1


def event_time(value, headers, timestamp_ms, timestamp_type):
    """The Segment `timestamp` is the event time (Nudge decodes the same field); else the record's."""
    try:
        return int(datetime.fromisoformat(value["timestamp"]).timestamp() * 1000)
    except (TypeError, KeyError, ValueError):
        return timestamp_ms


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--brokers", required=True)
    p.add_argument("--input", required=True, help="the events topic (Segment JSON, keyed by customer)")
    p.add_argument("--output", required=True, help="the topic reminders go to")
    p.add_argument("--group", required=True)
    p.add_argument("--state-dir", required=True)
    p.add_argument("--count", type=int, default=0, help="stop after this many input records (0: never)")
    p.add_argument("--max-seconds", type=float, default=300)
    p.add_argument("--commit-interval", type=float, default=1.0)
    p.add_argument("--result", help="write the app's own count and timing here (JSON)")
    args = p.parse_args()

    counts = {"records": 0, "reminders": 0, "first": 0.0, "last": 0.0, "cpu_first": 0.0, "cpu_last": 0.0}

    def processed(topic, partition, offset):
        # Called after each input record, filtered or not: the "first to last record" clock.
        now = time.monotonic()
        if counts["records"] == 0:
            counts["first"] = now
            counts["cpu_first"] = time.process_time()  # the whole process: librdkafka's threads too
        counts["records"] += 1
        counts["last"] = now
        if args.count and counts["records"] >= args.count:
            counts["cpu_last"] = time.process_time()
            app.stop()  # the loop ends and commits the last checkpoint

    app = Application(
        broker_address=args.brokers,
        consumer_group=args.group,
        auto_offset_reset="earliest",
        commit_interval=args.commit_interval,
        state_dir=args.state_dir,
        loglevel="WARNING",
        on_message_processed=processed,
    )
    events = app.topic(args.input, key_deserializer="str", value_deserializer="json",
                       timestamp_extractor=event_time)
    reminders = app.topic(args.output, key_serializer="str", value_serializer="json")

    def step(event, customer, ts, headers, state):
        """One event of one customer: due reminders first (in event time), then goal, then trigger."""
        apps = state.get("apps") or {}
        before = len(apps)
        changed = False
        out = []
        for app_id, (phase, at, service) in list(apps.items()):
            if phase == WAITING and at <= ts:
                out.append({"customer": customer, "scenario": "draft-application-reminder",
                            "channel": "email", "template": "draft-application-reminder",
                            "application_id": app_id, "service": service, "due_ms": at, "event_ms": ts})
                phase, at = SENT, at + GIVE_USER_TIME_MS
                apps[app_id] = [phase, at, service]
                changed = True
            if phase == SENT and at <= ts:
                del apps[app_id]  # done: a later draft of it opens a new entry
                changed = True
        props = event.get("properties") or {}
        app_id = props.get("application_id")
        if app_id is not None:
            app_id = str(app_id)
            if props.get("status") != "draft":
                changed |= apps.pop(app_id, None) is not None
            elif app_id not in apps:
                apps[app_id] = [WAITING, ts + REMIND_AFTER_MS, props.get("service")]
                changed = True
        if changed:
            if apps:
                state.set("apps", apps)
            elif before:
                state.delete("apps")
        counts["reminders"] += len(out)
        return out

    sdf = app.dataframe(events)
    sdf = sdf.filter(lambda e: e.get("type") == "track" and e.get("event") == "Application Status Changed")
    sdf = sdf.apply(step, stateful=True, metadata=True, expand=True)
    sdf.to_topic(reminders)

    # Bounded in time like every load loop: stop (and commit) after --max-seconds whatever happened.
    timer = threading.Timer(args.max_seconds, app.stop)
    timer.daemon = True
    timer.start()
    app.run()
    timer.cancel()

    seconds = counts["last"] - counts["first"]
    result = {"records": counts["records"], "reminders": counts["reminders"], "seconds": round(seconds, 3),
              "rate": round((counts["records"] - 1) / seconds, 1) if seconds > 0 else None,
              "cpu_seconds": round(counts["cpu_last"] - counts["cpu_first"], 2) if counts["cpu_last"] else None,
              "drained": bool(args.count) and counts["records"] >= args.count,
              "commit_interval": args.commit_interval, "quixstreams": quixstreams.__version__}
    print(json.dumps(result))
    if args.result:
        with open(args.result, "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
