#!/usr/bin/env python3
"""A small asyncio job worker in the design of the chapter, speaking Concurrency Lab's protocol.

The walkthrough shows these lines beside the Node worker (src/worker/worker.ts); each
`lesson:` marker names the step that shows it, so keep every marker on the line it names.

Consume jobs (one worker = one process; start several for real parallelism):
    python3 worker.py --redis redis://127.0.0.1:6379 --channel jobs
Produce jobs (the other side of Producer-Consumer):
    python3 worker.py --redis redis://127.0.0.1:6379 --channel jobs --publish 5

Needs redis-py 4.2 or later (Debian: apt-get install python3-redis). The password, if any,
comes from $REDIS_PASSWORD. Lifecycle reports go to `<channel>:status` as StatusBatch
messages, so the extension's task tree and timeline show this worker too.
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import time
import uuid

import redis.asyncio as aioredis

MAX_DURATION_MS = 10 * 60 * 1000
KINDS = ("sleep", "cpu", "fail")


# lesson:subscribe — wait for work: the loop sleeps inside get_message until a message arrives
async def run_worker(client, channel, stopping, tasks, report):
    pubsub = client.pubsub()
    await pubsub.subscribe(channel)
    while not stopping.is_set():
        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
        # lesson:receive — one message from the channel: check it, then hand it to its own task
        if message and message["type"] == "message":
            job = parse_job(message["data"])
            if job is None:
                continue
            # lesson:create-task — start handle_event without awaiting it
            task = asyncio.create_task(handle_event(job, report))
            tasks.add(task)  # keep a reference, or the task may vanish mid-run
            task.add_done_callback(tasks.discard)
    await pubsub.unsubscribe(channel)
    await pubsub.close()


# lesson:handle-event — one job's whole life; failures are reported, never raised
async def handle_event(job, report):
    started_at = now_ms()
    await report("TaskStarted", jobId=job["jobId"], createdAt=job["createdAt"], receivedAt=job["receivedAt"],
                 at=started_at, kind=job["kind"], durationMs=job["durationMs"], threadId=0,
                 **{k: job[k] for k in ("label", "seq") if k in job})
    try:
        await execute_job(job)
        await report("TaskCompleted", jobId=job["jobId"], startedAt=started_at, at=now_ms())
    except Exception as error:  # a failing job must not end the worker
        await report("TaskFailed", jobId=job["jobId"], startedAt=started_at, at=now_ms(), error=str(error)[:1000])


# lesson:execute-job — the job itself
async def execute_job(job):
    seconds = job["durationMs"] / 1000  # 1 s unless the job asks for another duration
    if job["kind"] == "cpu":
        # lesson:block — busy work with no await: the event loop is stuck until it ends
        block_for(seconds)
        return
    # lesson:await-sleep — control goes back to the event loop until the timer fires
    await asyncio.sleep(seconds)
    if job["kind"] == "fail":
        raise RuntimeError(f"job {job['jobId']} failed on purpose")


def block_for(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


# lesson:two-phase-termination — stop taking work first, then let running tasks finish
async def stop_gracefully(worker_loop, tasks, timeout_s):
    # phase 1: the subscribe loop has seen `stopping` and unsubscribed (or lost its connection)
    error = (await asyncio.gather(worker_loop, return_exceptions=True))[0]
    if isinstance(error, Exception):
        print(f"the subscribe loop ended: {error!r}")
    pending = set(tasks)
    if pending:
        _, pending = await asyncio.wait(pending, timeout=timeout_s)  # phase 2: drain
    for task in pending:
        task.cancel()
    return len(pending)


# lesson:producer — the producer side: publish JobCreated events on the job channel
async def publish_jobs(client, channel, count, duration_ms, kind):
    for seq in range(count):
        job = {"type": "JobCreated", "jobId": str(uuid.uuid4()), "createdAt": now_ms(),
               "durationMs": duration_ms, "kind": kind, "label": "worker.py", "seq": seq}
        receivers = await client.publish(channel, json.dumps(job))
        print(f"published {job['jobId']} (seq {seq}) to {receivers} subscriber(s)")


def parse_job(raw):
    """Checks a JobCreated message the way the Node worker's schema does; None if it is not one."""
    try:
        data = json.loads(raw)
    except ValueError:
        print(f"skipped a message that is not JSON: {raw[:120]!r}")
        return None
    if not isinstance(data, dict) or data.get("type") != "JobCreated":
        return None
    job_id, created_at = data.get("jobId"), data.get("createdAt")
    duration_ms, kind = data.get("durationMs", 1000), data.get("kind", "sleep")
    ok = (isinstance(job_id, str) and 0 < len(job_id) <= 128
          and is_int(created_at) and created_at >= 0
          and is_int(duration_ms) and 0 <= duration_ms <= MAX_DURATION_MS
          and kind in KINDS
          and (not is_int(data.get("seq")) or data["seq"] >= 0))
    if not ok:
        print(f"skipped an invalid JobCreated: {raw[:120]!r}")
        return None
    job = {"jobId": job_id, "createdAt": created_at, "durationMs": duration_ms, "kind": kind, "receivedAt": now_ms()}
    if isinstance(data.get("label"), str):
        job["label"] = data["label"][:200]
    if is_int(data.get("seq")):
        job["seq"] = data["seq"]
    return job


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def now_ms():
    return int(time.time() * 1000)


def current_cpu():
    """The CPU core this process last ran on (Linux); None elsewhere."""
    try:
        with open("/proc/self/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[36])
    except (OSError, IndexError, ValueError):
        return None


def rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


class Reporter:
    """Publishes lifecycle events on `<channel>:status`, one StatusBatch per event (simple, not batched)."""

    def __init__(self, client, channel, worker_id):
        self.client, self.status_channel, self.worker_id = client, f"{channel}:status", worker_id
        self.identity = {"workerId": worker_id, "pid": os.getpid()}
        self.seq = 0
        self.lock = asyncio.Lock()  # one report at a time, so batches arrive in `seq` order

    async def __call__(self, event_type, **fields):
        event = {"type": event_type, **self.identity, **fields}
        async with self.lock:
            batch = {"type": "StatusBatch", "workerId": self.worker_id, "seq": self.seq, "events": [event]}
            self.seq += 1
            try:
                await self.client.publish(self.status_channel, json.dumps(batch))
            except aioredis.RedisError as error:  # a lost report must not stop the job
                print(f"report failed: {error}")

    async def heartbeats(self, tasks, interval_s=1.0):
        while True:
            before = time.monotonic()
            await asyncio.sleep(interval_s)
            late_ms = max(0.0, (time.monotonic() - before - interval_s) * 1000)  # how long the loop was busy
            await self("WorkerHeartbeat", hostname=socket.gethostname(), at=now_ms(), cpu=current_cpu(),
                       loopDelay={"meanMs": late_ms, "p99Ms": late_ms, "maxMs": late_ms},
                       inFlight=len(tasks), queued=0, rssBytes=rss_bytes(), heapUsedBytes=0)


async def main():
    parser = argparse.ArgumentParser(description="asyncio job worker (Concurrency Lab protocol)")
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"))
    parser.add_argument("--channel", default="jobs")
    parser.add_argument("--stop-timeout", type=float, default=10.0, help="seconds a stop waits for running tasks")
    parser.add_argument("--publish", type=int, metavar="N", help="publish N jobs and exit instead of working")
    parser.add_argument("--duration-ms", type=int, default=1000)
    parser.add_argument("--kind", choices=KINDS, default="sleep")
    args = parser.parse_args()

    client = aioredis.from_url(args.redis, password=os.environ.get("REDIS_PASSWORD") or None, decode_responses=True)
    try:
        if args.publish is not None:
            await publish_jobs(client, args.channel, args.publish, args.duration_ms, args.kind)
            return

        hostname = socket.gethostname()
        worker_id = f"{hostname}:{os.getpid()}:py-{uuid.uuid4().hex[:6]}"
        report = Reporter(client, args.channel, worker_id)
        tasks = set()
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)

        await report("WorkerOnline", hostname=hostname, at=now_ms(), channel=args.channel, delivery="pubsub",
                     maxConcurrency=0)
        heartbeat = asyncio.create_task(report.heartbeats(tasks))
        worker_loop = asyncio.create_task(run_worker(client, args.channel, stopping, tasks, report))
        worker_loop.add_done_callback(lambda _: stopping.set())  # a lost connection also stops the worker
        print(f"worker {worker_id} is waiting for JobCreated on {args.channel!r}", flush=True)
        await stopping.wait()
        abandoned = await stop_gracefully(worker_loop, tasks, args.stop_timeout)
        heartbeat.cancel()
        await report("WorkerOffline", hostname=hostname, at=now_ms(), reason="signal", abandoned=abandoned)
        print(f"worker {worker_id} is offline ({abandoned} task(s) abandoned)", flush=True)
    finally:
        await client.close()


if __name__ == "__main__":
    asyncio.run(main())
