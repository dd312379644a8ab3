# Benchmarks: data at the 1M scale (1,000,000 events, 10,000 users) on SQLite
# and PostgreSQL, the real server against its baselines; writes
# docs/benchmarks.md, docs/benchmarks.json and docs/*.png. About 20 minutes.
# PostgreSQL: postgres://postgres@127.0.0.1:5432/test (TALENT_BENCH_POSTGRES).
.PHONY: bench bench-quick

bench:
	go run ./cmd/talentbench --scale 1m --engines sqlite,postgres --out docs

# A smoke test of the suite at tiny sizes (writes to /tmp, not docs/).
bench-quick:
	go run ./cmd/talentbench --quick --out /tmp/talentbench-quick
