# Roundtable: `make run` starts the server, `make test` runs every test.
# Build output lives outside the clone so a machine that built once rebuilds little.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/roundtable/target

DATA ?= ./data
LISTEN ?= 127.0.0.1:8080

.PHONY: run web test test-deps test-web check bench bench-api bench-issues bench-meetings bench-kurrentdb bench-abuse bench-witness bench-web fuzz

## Build the web app and start `roundtable serve` (which embeds it) on an embedded
## data directory with demo data, and two local witnesses beside it (2-of-2):
## http://127.0.0.1:8080/
run: web
	cargo build --release -p roundtable
	ops/run-demo.sh $(CARGO_TARGET_DIR)/release/roundtable $(DATA) $(LISTEN)

## Install what the tests need (Go + x/mod, Node), then lint and run every test:
## Rust unit, contract, crash and black-box tests, the Go and WebCrypto cross-checks.
test: test-deps check web
	cargo test --workspace
	$(MAKE) test-web
	@if [ -n "$$KURRENTDB_URL" ]; then \
		echo "KurrentDB: contract, multi-process and migrate tests ran against KURRENTDB_URL."; \
	else \
		echo "KurrentDB: real-server tests SKIPPED (KURRENTDB_URL is not set); the same tests ran against the in-process KurrentDB test server."; \
	fi

test-deps:
	ops/install-test-deps.sh
	ops/prune-build-cache.sh

## The web app (Vue 3 + Vant, typed operations from schema/): web/dist, embedded by the server.
web: web/node_modules/.installed
	cd web && npm run build

# `npm ci` only when the lock file changed since the last install.
web/node_modules/.installed: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

## Vitest unit tests, then the browser tests (Debian's Chromium via playwright-core)
## against a real `roundtable serve` on a fresh data directory.
test-web:
	cd web && npm run test:unit
	cargo build -p roundtable
	cd web && ROUNDTABLE_BIN=$(CARGO_TARGET_DIR)/debug/roundtable npm run test:browser

check:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

## Measure the log and rewrite docs/BENCHMARKS.md.
bench: bench-api bench-issues bench-meetings bench-kurrentdb bench-abuse bench-witness bench-web
	cargo bench -p roundtable-store-sqlite --bench log

## Measure sign-in and `me` through the real server; rewrites its part of docs/BENCHMARKS.md.
bench-api:
	cargo bench -p roundtable --bench api

## 100k issues / 1M events: start-up, RSS, issue(id), an issues page, cosignIssue; rewrites its part of docs/BENCHMARKS.md.
bench-issues:
	cargo bench -p roundtable --bench issues

## 500 voters casting at once, 1,000 live subscribers; rewrites its part of docs/BENCHMARKS.md.
bench-meetings:
	cargo bench -p roundtable --bench meetings

## KurrentDbStore against the in-process test server (or KURRENTDB_URL); rewrites its part of docs/BENCHMARKS.md.
bench-kurrentdb:
	cargo bench -p roundtable --bench kurrentdb

## 8 hostile clients against /healthz and a signed-in `me`; rewrites its part of docs/BENCHMARKS.md.
bench-abuse:
	cargo bench -p roundtable --bench abuse

## Write acknowledged → covering checkpoint served, with two witnesses and without; rewrites its part of docs/BENCHMARKS.md.
bench-witness:
	cargo bench -p roundtable --bench witness

## The web app's first load at 360 px (bytes, first paint and page on Fast 3G and
## 400 kbit/s), this build and the previous one; rewrites its part of docs/BENCHMARKS.md.
bench-web: web/node_modules/.installed
	ops/bench-web.sh

## The fuzz suite at 100,000 generated documents (make test runs 5,000).
fuzz:
	FUZZ_CASES=100000 cargo test --release -p roundtable --test fuzz -- --nocapture
