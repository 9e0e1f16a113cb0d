"""Before the tests: are PostgreSQL and Redis reachable? If not, say exactly what to start."""

import os
import sys

import dj_database_url
import psycopg2
import redis

START_POSTGRES = (
    "  start it:  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n"
    "  or:        docker compose up -d postgres\n"
    "  or point DATABASE_URL at a PostgreSQL server where this user may create databases."
)
START_REDIS = (
    "  start it:  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no\n"
    "  or:        docker compose up -d redis\n"
    "  or point REDIS_URL at a Redis server."
)


def main() -> int:
    problems = []
    db = dj_database_url.parse(os.environ["DATABASE_URL"])
    if db["ENGINE"] != "django.db.backends.postgresql":
        problems.append(f"DATABASE_URL must be a PostgreSQL URL for the tests, not {db['ENGINE']}.")
    else:
        try:
            psycopg2.connect(
                dbname="postgres",
                user=db["USER"] or None,
                password=db["PASSWORD"] or None,
                host=db["HOST"] or None,
                port=db["PORT"] or None,
                connect_timeout=3,
            ).close()
        except psycopg2.OperationalError as exc:
            where = f"{db['HOST'] or 'local socket'}:{db['PORT'] or 5432}"
            problems.append(f"PostgreSQL is not reachable at {where} ({str(exc).strip()}).\n{START_POSTGRES}")
    url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis is not reachable at {url} ({exc}).\n{START_REDIS}")
    for problem in problems:
        print(f"make test: {problem}", file=sys.stderr)
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
