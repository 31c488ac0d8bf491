"""memberkit's Python has_access beside the same check written with the standard library's
sqlite3 on the same file (the same SQL and rule), interleaved every 500 calls; then two threads.

Run by `cargo bench -p memberkit-bench` (which installs the package into target/bench-venv):
    python access.py DB SAMPLES REPS WINDOW_SECONDS
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Callable, Dict, List, Tuple

import memberkit

# The statement memberkit runs, as the benchmark's Rust side writes it by hand. Python's
# sqlite3 is SQLite 3.40: INDEXED BY works there too.
ACCESS_SQL = """SELECT 0, m.status, p.paid, p.archived, g.product_id IS NOT NULL, g.expires_at, g.starts_at
     FROM members m INDEXED BY members_access
     JOIN products p INDEXED BY products_access ON p.tenant_id = m.tenant_id AND p.id = ?3
     LEFT JOIN grants g INDEXED BY grants_open_access ON g.tenant_id = m.tenant_id
          AND g.member_id = m.id AND g.product_id = p.id AND g.revoked_at IS NULL
     WHERE m.tenant_id = ?1 AND m.id = ?2
     UNION ALL
     SELECT 1, NULL, NULL, NULL, 1, g.expires_at, g.starts_at
     FROM bundle_items b
     JOIN grants g INDEXED BY grants_open_access ON g.tenant_id = b.tenant_id
          AND g.member_id = ?2 AND g.product_id = b.bundle_id AND g.revoked_at IS NULL
     WHERE b.tenant_id = ?1 AND b.product_id = ?3"""


def now_micros() -> int:
    delta = datetime.now(timezone.utc) - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def by_hand(conn: sqlite3.Connection, tenant: bytes, member: bytes, product: bytes) -> bool:
    now = now_micros()
    facts, granted = None, False
    for kind, status, paid, archived, has_grant, expires, starts in conn.execute(
        ACCESS_SQL, (tenant, member, product)
    ):
        live = (expires is None or now < expires) and (starts is None or starts <= now)
        granted = granted or (bool(has_grant) and live)
        if kind == 0:
            facts = (status, paid, archived)
    if facts is None or facts[0] != "active":
        return False
    if not facts[1]:
        return not facts[2]
    return granted


def main() -> None:
    db, samples, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    window = float(sys.argv[4])
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
    first = "SELECT id FROM tenants ORDER BY created_at, id LIMIT 1"
    tenant_id = conn.execute(first).fetchone()[0]
    def ids(table: str) -> List[bytes]:
        rows = conn.execute(f"SELECT id FROM {table} WHERE tenant_id = ?", (tenant_id,))
        return [r[0] for r in rows]

    members, products = ids("members"), ids("products")
    tenant = memberkit.Hub.open(db).tenant(str(uuid.UUID(bytes=tenant_id)))

    def as_str(b: bytes) -> str:
        return str(uuid.UUID(bytes=b))

    rng = random.Random(7)
    for _ in range(2000):
        m, p = rng.choice(members), rng.choice(products)
        assert tenant.has_access(as_str(m), as_str(p)) == by_hand(conn, tenant_id, m, p)

    contenders: Dict[str, Callable[[Tuple[bytes, bytes, str, str]], bool]] = {
        "memberkit": lambda x: tenant.has_access(x[2], x[3]),
        "sqlite3": lambda x: by_hand(conn, tenant_id, x[0], x[1]),
    }
    runs: Dict[str, List[Tuple[float, float]]] = {k: [] for k in contenders}
    for rep in range(reps):
        rng = random.Random(1000 + rep)
        inputs = []
        for _ in range(samples):
            m, p = rng.choice(members), rng.choice(products)
            inputs.append((m, p, as_str(m), as_str(p)))  # ids as a web app holds them
        times: Dict[str, List[int]] = {k: [] for k in contenders}
        names = list(contenders)
        for turn, start in enumerate(range(0, samples, 500)):
            chunk = inputs[start : start + 500]
            for k in range(len(names)):
                name = names[(k + turn) % len(names)]
                call, out = contenders[name], times[name]
                for x in chunk:
                    t0 = time.perf_counter_ns()
                    call(x)
                    out.append(time.perf_counter_ns() - t0)
        for name, t in times.items():
            t.sort()
            runs[name].append((t[len(t) // 2] / 1000, t[int(len(t) * 0.99)] / 1000))
    for label, index in (("p50", 0), ("p99", 1)):
        ours = statistics.median(r[index] for r in runs["memberkit"])
        theirs = statistics.median(r[index] for r in runs["sqlite3"])
        print(
            f"python has_access {label}: memberkit {ours:.1f} µs | "
            f"stdlib sqlite3 {theirs:.1f} µs ({ours / theirs:.2f}x)"
        )

    def rate(make: Callable[[], Callable[[Tuple[bytes, bytes, str, str]], bool]]) -> float:
        stop = threading.Event()
        counts = [0, 0]
        picks = [(rng.choice(members), rng.choice(products)) for _ in range(5000)]
        pairs = [(m, p, as_str(m), as_str(p)) for m, p in picks]

        def work(i: int) -> None:
            call = make()
            n = 0
            while not stop.is_set():
                call(pairs[n % len(pairs)])
                n += 1
            counts[i] = n

        threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        time.sleep(window)
        stop.set()
        for t in threads:
            t.join()
        return sum(counts) / (time.perf_counter() - t0)

    def own_connection() -> Callable[[Tuple[bytes, bytes, str, str]], bool]:
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)
        return lambda x: by_hand(c, tenant_id, x[0], x[1])

    ours = statistics.median(rate(lambda: contenders["memberkit"]) for _ in range(reps))
    theirs = statistics.median(rate(own_connection) for _ in range(reps))
    print(
        f"python has_access, 2 threads: memberkit {ours:.0f}/s | "
        f"stdlib sqlite3 {theirs:.0f}/s ({ours / theirs:.2f}x)"
    )


if __name__ == "__main__":
    main()
