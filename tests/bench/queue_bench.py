"""The queue section of scripts/bench: claim+complete throughput of the job
queue, and real mail through mp_mail_queue, the worker and the stack's SMTP
catcher.  Runs against the stack described by the MP_* environment
(scripts/bench exports it).

1. BENCH_QUEUE_JOBS (20,000) queue.noop jobs inserted while the worker is
   stopped; the worker started; throughput = jobs / (last finished - first
   claimed), for each job_batch in BENCH_QUEUE_BATCHES ("1 10 20").  The
   job table is vacuumed first (BENCH_QUEUE_VACUUM=0 measures it as an
   earlier burst left it).
2. BENCH_QUEUE_MAILS (20,000) emails queued through an extra pool with
   test_routes = 1 (POST /_test/queue/mail, 500 per request, 4 clients)
   while the worker runs; messages/s = mails / (last sent - first sent),
   enqueue-to-delivery latency = notification.sent_at - created_at.
"""

import os
import subprocess
import sys
import threading
import time

import psycopg2
import requests
import urllib3

urllib3.disable_warnings()
E = os.environ
JOBS = int(E.get("BENCH_QUEUE_JOBS", "20000"))
MAILS = int(E.get("BENCH_QUEUE_MAILS", "20000"))
BATCHES = [int(b) for b in E.get("BENCH_QUEUE_BATCHES", "1 10 20").split()]


def stack(*args):
    subprocess.run([E["MP_STACK"], *args], check=True, capture_output=True, text=True)


def superuser():
    c = psycopg2.connect(host=E["MP_PG_HOST"], port=E["MP_PG_PORT"], dbname=E["MP_DB"],
                         user=E["MP_SUPER_ROLE"])
    c.autocommit = True
    return c


def q1(c, sql, *a):
    with c.cursor() as cur:
        cur.execute(sql, a)
        return cur.fetchone()


def worker_start(**over):
    """The stack's worker binary and config, with overrides, as our process."""
    env = dict(E)
    env.update({"MPANEL_" + k.upper(): str(v) for k, v in over.items()})
    env["MPANEL_PID_FILE"] = os.path.join(E["MP_VAR"], "run", "bench-worker.pid")
    env["MPANEL_LOG_FILE"] = os.path.join(E["MP_LOG_DIR"], "bench-worker.log")
    return subprocess.Popen([os.path.join(E["MP_VAR"], "app", "bin", "mpanel-worker"),
                             "-c", E["MP_CONF"]], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def worker_stop(p):
    p.terminate()
    p.wait(30)


def bench_noop(c, batch):
    tid = q1(c, "SELECT id FROM tenants WHERE slug = 'acme'")[0]
    q1(c, "WITH d AS (DELETE FROM job WHERE kind = 'queue.noop' RETURNING 1)"
          " SELECT count(*) FROM d")
    q1(c, "WITH x AS (INSERT INTO job (tenant_id, queue, kind, priority, payload)"
          " SELECT %s, 'bulk', 'queue.noop', 1 + i %% 10, '{}' FROM generate_series(1, %s) i"
          " RETURNING 1) SELECT count(*) FROM x", tid, JOBS)
    # Steady state: the dead index entries an earlier burst left behind
    # (until autovacuum comes) would be measured otherwise.
    if E.get("BENCH_QUEUE_VACUUM", "1") == "1":
        with c.cursor() as cur:
            cur.execute("VACUUM ANALYZE job")
    p = worker_start(job_batch=batch)
    t0 = time.time()
    while q1(c, "SELECT count(*) FROM job WHERE kind = 'queue.noop' AND state <> 'completed'")[0]:
        if time.time() - t0 > 600:
            break
        time.sleep(0.05)
    worker_stop(p)
    n, secs = q1(c, "SELECT count(*), extract(epoch FROM max(finished_at) - min(attempted_at))"
                    " FROM job WHERE kind = 'queue.noop' AND state = 'completed'")
    q1(c, "WITH d AS (DELETE FROM job WHERE kind = 'queue.noop' RETURNING 1)"
          " SELECT count(*) FROM d")
    return n, float(secs)


def bench_mail(c, mails=MAILS, rate=0):
    """Queue mails (as fast as 4 clients can, or rate per second in
    requests of rate/10) while the worker runs; returns the enqueue time,
    request errors and (sent, span, p50, p99, max) from the database."""
    port = subprocess.run([E["MP_STACK"], "pool-extra", "qbench", "test_routes=1"],
                          check=True, capture_output=True, text=True).stdout.split()[-1]
    url = "https://127.0.0.1:%s/_test/queue/mail" % port
    host = "acme." + E["MP_BASE_DOMAIN"]
    t_start = q1(c, "SELECT now()")[0]
    per, clients = (500, 4) if rate == 0 else (max(1, rate // 10), 1)
    todo = [min(per, mails - i) for i in range(0, mails, per)]
    lock = threading.Lock()
    errors = []

    def client(k):
        s = requests.Session()
        s.verify = False
        try:
            post(s, k)
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(str(e)[:200])

    def post(s, k):
        while True:
            with lock:
                if not todo:
                    return
                n = todo.pop()
            r = s.post(url, headers={"Host": host}, timeout=300, verify=False,
                       json={"to": "bench-%d@example.com" % k, "subject": "Benchmark",
                             "count": n, "category": "transactional"})
            if r.status_code != 200:
                errors.append(r.text[:200])
            if rate:
                time.sleep(max(0.0, t0 + (mails - sum(todo)) / rate - time.time()))
    p = worker_start()
    t0 = time.time()
    ths = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    enq = time.time() - t0
    while True:
        left = q1(c, "SELECT count(*) FROM notification WHERE created_at >= %s"
                     " AND subject = 'Benchmark' AND state IN ('queued', 'sending')",
                  t_start)[0]
        if left == 0 or time.time() - t0 > 900:
            break
        time.sleep(0.2)
    worker_stop(p)
    subprocess.run([E["MP_STACK"], "pool-extra-stop", "qbench"], capture_output=True)
    row = q1(c, "SELECT count(*) FILTER (WHERE n.state = 'sent'),"
                " extract(epoch FROM max(n.sent_at) - min(n.sent_at)),"
                " percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM n.sent_at - n.created_at)),"
                " percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM n.sent_at - n.created_at)),"
                " max(extract(epoch FROM n.sent_at - n.created_at))"
                " FROM notification n WHERE n.created_at >= %s AND n.subject = 'Benchmark'",
             t_start)
    return enq, errors, row


def main():
    c = superuser()
    print("queue: stopping the stack's worker for the measurements", file=sys.stderr)
    stack("worker-stop", "TERM")
    try:
        print()
        print("queue.noop: %d jobs, claim + complete, %s runners" % (
            JOBS, E.get("MPANEL_WORKER_CONCURRENCY", "4 (worker_concurrency)")))
        print("%-8s %10s %10s" % ("batch", "jobs/s", "seconds"))
        for b in BATCHES:
            n, secs = bench_noop(c, b)
            print("%-8d %10.0f %10.2f" % (b, n / secs if secs else 0, secs))
        mails = MAILS
        enq, errors, (sent, span, p50, p99, mx) = bench_mail(c, mails)
        print()
        print("email.send: %d messages through mp_mail_queue -> worker -> SMTP (STARTTLS) -> catcher" % mails)
        print("  enqueued in %.1f s (%.0f/s)%s" % (enq, mails / enq,
              "; %d request errors" % len(errors) if errors else ""))
        print("  sent %d, %.0f messages/s; enqueue-to-delivery p50 %.2f s, p99 %.2f s, max %.2f s" % (
            sent, sent / span if span else 0, p50 or 0, p99 or 0, mx or 0))
        for e in errors[:3]:
            print("  request error: %s" % e)
        rate = int(E.get("BENCH_QUEUE_RATE", "100"))
        if rate > 0:
            n = rate * 20
            enq, errors, (sent, span, p50, p99, mx) = bench_mail(c, n, rate)
            print("email.send paced: %d messages at %d/s: sent %d; enqueue-to-delivery"
                  " p50 %.2f s, p99 %.2f s, max %.2f s" % (n, rate, sent, p50 or 0,
                                                         p99 or 0, mx or 0))
    finally:
        stack("worker-start")


if __name__ == "__main__":
    main()
