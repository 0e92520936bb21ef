"""Job frameworks built on Redis, each running enqueue -> work -> result against a server.

Usage: python framework_scenarios.py PORT [NAME ...]
Runs in the frameworks' own virtualenv (scripts/test builds it: these frameworks pin
redis-py below 6, the rest of the suite uses 8.x). Prints one line per framework and exits
non-zero on the first failure. Run by redis-compat/tests/clients.rs against sluice and
against redis-server. Each scenario uses its own database and flushes it first.
"""
import asyncio
import sys
import time

PORT = int(sys.argv[1])
URL = f"redis://127.0.0.1:{PORT}"


def celery_broker_and_backend():
    """Celery with the Redis broker (lists, BRPOP, a sorted set and hash for unacked
    messages, pub/sub for control) and the Redis result backend (SETEX, pub/sub)."""
    from celery import Celery
    from celery.contrib.testing.worker import start_worker
    import redis

    redis.Redis(port=PORT, db=1).flushdb()
    app = Celery("sluice_check", broker=f"{URL}/1", backend=f"{URL}/1")
    app.conf.update(
        broker_connection_retry_on_startup=False,
        worker_hijack_root_logger=False,
        task_acks_late=True,
    )

    @app.task
    def add(x, y):
        return x + y

    @app.task
    def fail():
        raise ValueError("boom")

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        results = [add.delay(i, i) for i in range(20)]
        got = [r.get(timeout=20) for r in results]
        assert got == [2 * i for i in range(20)], got
        bad = fail.delay()
        try:
            bad.get(timeout=20)
            raise AssertionError("the failing task succeeded")
        except ValueError as e:
            assert "boom" in str(e)
        # A countdown goes through the unacked sorted set and comes back.
        later = add.apply_async((40, 2), countdown=1)
        assert later.get(timeout=20) == 42


def arq_jobs():
    """arq: jobs enqueued in a sorted set, results kept as strings, a burst worker."""
    from arq import create_pool
    from arq.connections import RedisSettings
    from arq.worker import Worker, func

    async def add(ctx, x, y):
        return x + y

    async def main():
        settings = RedisSettings(host="127.0.0.1", port=PORT, database=2)
        pool = await create_pool(settings)
        await pool.flushdb()
        jobs = [await pool.enqueue_job("add", i, 1) for i in range(10)]
        # A deferred job and a job id enqueued twice (arq refuses the duplicate).
        deferred = await pool.enqueue_job("add", 100, 1, _defer_by=0.5)
        again = await pool.enqueue_job("add", 0, 0, _job_id="fixed")
        dup = await pool.enqueue_job("add", 0, 0, _job_id="fixed")
        assert dup is None, dup
        worker = Worker(
            functions=[func(add, name="add")], redis_pool=pool, burst=True, poll_delay=0.05
        )
        await worker.main()
        got = [await j.result(timeout=10) for j in jobs]
        assert got == [i + 1 for i in range(10)], got
        assert await deferred.result(timeout=10) == 101
        assert await again.result(timeout=10) == 0
        await worker.close()
        await pool.aclose()

    asyncio.run(main())


def taskiq_list_and_stream():
    """taskiq-redis: a list-queue broker and a stream broker (consumer group) with the
    Redis result backend."""
    from taskiq.api import run_receiver_task
    from taskiq_redis import ListQueueBroker, RedisAsyncResultBackend, RedisStreamBroker
    import redis

    async def scenario(broker):
        @broker.task
        async def mul(x, y):
            return x * y

        await broker.startup()
        worker = asyncio.create_task(run_receiver_task(broker))
        tasks = [await mul.kiq(i, 3) for i in range(10)]
        got = [(await t.wait_result(timeout=10)).return_value for t in tasks]
        assert got == [3 * i for i in range(10)], got
        worker.cancel()
        try:
            await worker
        except asyncio.CancelledError:
            pass
        await broker.shutdown()

    redis.Redis(port=PORT, db=3).flushdb()
    for make in (ListQueueBroker, RedisStreamBroker):
        broker = make(url=f"{URL}/3").with_result_backend(
            RedisAsyncResultBackend(redis_url=f"{URL}/3")
        )
        asyncio.run(scenario(broker))


def huey_consumer(schedule=False):
    """huey: RedisHuey's list queue and result hash with a thread consumer; with `schedule`,
    a delayed task through the schedule sorted set."""
    from huey import RedisHuey

    h = RedisHuey("sluice-check", host="127.0.0.1", port=PORT, db=4)
    h.storage.conn.flushdb()

    @h.task()
    def add(x, y):
        return x + y

    consumer = h.create_consumer(workers=2, worker_type="thread", periodic=False,
                                 check_worker_health=False)
    # start(), not run(): run() installs signal handlers, which only the main thread may.
    consumer.start()
    try:
        results = [add(i, 10) for i in range(10)]
        got = [r.get(blocking=True, timeout=10) for r in results]
        assert got == [i + 10 for i in range(10)], got
        if schedule:
            # The schedule is read back by a Lua script (EVALSHA).
            later = add.schedule((1, 1), delay=1)
            assert later.get(blocking=True, timeout=10) == 2
    finally:
        consumer.stop(graceful=True)


def rq_worker_registries_scheduler():
    """RQ: jobs as hashes, a worker (SimpleWorker, burst), the failed-job registry after a
    job raises, a job retried on failure, and a job scheduled for later (ScheduledJobRegistry,
    moved to its queue by RQ's scheduler). RQ's own Lua runs through EVALSHA."""
    from datetime import timedelta
    import redis
    from rq import Queue, Retry, SimpleWorker
    from rq.job import JobStatus
    from rq.registry import FailedJobRegistry, FinishedJobRegistry
    from rq.scheduler import RQScheduler

    conn = redis.Redis(port=PORT, db=5)
    conn.flushdb()
    q = Queue("sluice", connection=conn)
    # Library functions by import path: the worker imports them as RQ always does.
    jobs = [q.enqueue("operator.add", i, 100) for i in range(10)]
    bad = q.enqueue("math.sqrt", -1)
    retried = q.enqueue("math.sqrt", -4, retry=Retry(max=2))
    later = q.enqueue_in(timedelta(seconds=1), "operator.mul", 6, 7)
    assert later.get_status() == JobStatus.SCHEDULED, later.get_status()
    w = SimpleWorker([q], connection=conn)
    # The failing jobs' tracebacks are expected: keep RQ's log quiet.
    w.work(burst=True, logging_level="CRITICAL")
    got = [j.latest_result().return_value for j in jobs]
    assert got == [i + 100 for i in range(10)], got
    assert bad.get_status(refresh=True) == JobStatus.FAILED
    failed = FailedJobRegistry(queue=q)
    assert bad.id in failed.get_job_ids(), failed.get_job_ids()
    assert "ValueError" in bad.latest_result().exc_string
    # Retried twice (re-enqueued by the worker each time), then failed for good.
    retried.refresh()
    assert retried.get_status() == JobStatus.FAILED, retried.get_status()
    assert retried.retries_left == 0, retried.retries_left
    assert len(FinishedJobRegistry(queue=q)) == 10
    # The scheduled job: due after a second, enqueued by the scheduler, then worked.
    time.sleep(1.2)
    sched = RQScheduler([q], connection=conn)
    assert sched.acquire_locks(), "the scheduler takes its lock"
    sched.enqueue_scheduled_jobs()
    sched.release_locks()
    SimpleWorker([q], connection=conn).work(burst=True, logging_level="CRITICAL")
    assert later.latest_result().return_value == 42


SCENARIOS = {
    "celery": celery_broker_and_backend,
    "arq": arq_jobs,
    "taskiq": taskiq_list_and_stream,
    "huey": huey_consumer,
    "huey-schedule": lambda: huey_consumer(schedule=True),
    "rq": rq_worker_registries_scheduler,
}

if __name__ == "__main__":
    import faulthandler
    import os

    # A framework whose worker dies (Celery's, on an unknown command) can leave its client
    # waiting for ever: the whole run ends by this deadline instead.
    faulthandler.dump_traceback_later(int(os.environ.get("SCENARIO_DEADLINE", "120")), exit=True)
    names = sys.argv[2:] or list(SCENARIOS)
    for name in names:
        t0 = time.time()
        SCENARIOS[name]()
        print(f"ok {name} ({time.time() - t0:.1f}s)", flush=True)
