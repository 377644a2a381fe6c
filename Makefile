# FlowLearn: the two commands are `make run` and `make test` (see README.md).
SWIFT ?= swift
CONFIG ?= config.example.json

.PHONY: run test build deps test-deps lint bench clean matrix-e2e console-browser xapi-e2e fuzz test-postgres replicas

## Install missing system packages, build (release), check $(CONFIG) and serve with it.
run: deps
	$(SWIFT) build -c release --product flowlearn
	.build/release/flowlearn config check --config $(CONFIG)
	.build/release/flowlearn serve --config $(CONFIG)

## Install what the tests need, list the places that can trap (each must be allowlisted with its
## reason), build, run every test (with a throw-away PostgreSQL on loopback, so the store contract
## runs on SQLite and on PostgreSQL: scripts/with-postgres.sh), lint the shipped content, replay the fuzz seeds and fuzz each
## target for a second, run the Matrix end-to-end test against a real Synapse on loopback, the xAPI
## one against a real learning record store (Ralph) with a kill -9 during delivery, drive the web
## console in headless Chromium (screenshots in .build/console-screenshots/), and run three replicas
## on one PostgreSQL database with a 3,000-nudge fan-out during which one is killed with kill -9.
test: test-deps
	python3 scripts/check-traps.py
	$(SWIFT) build --build-tests
	scripts/with-postgres.sh $(SWIFT) test --disable-xctest
	.build/debug/flowlearn lint Intents
	for target in $$(.build/debug/FlowLearnFuzz --list); do .build/debug/FlowLearnFuzz $$target --seeds Tests/Fuzz/Corpus/$$target || exit 1; done
	scripts/fuzz.sh --seconds 1
	.build-venv/bin/python scripts/matrix-e2e.py --flowlearn .build/debug/flowlearn --python .build-venv/bin/python
	.build-venv-lrs/bin/python scripts/xapi-e2e.py --flowlearn .build/debug/flowlearn --python .build-venv-lrs/bin/python
	.build-venv/bin/python scripts/console-browser-test.py --flowlearn .build/debug/flowlearn
	scripts/with-postgres.sh python3 scripts/replica-test.py --flowlearn .build/debug/flowlearn

build: deps
	$(SWIFT) build

deps:
	scripts/install-deps.sh

test-deps:
	scripts/install-deps.sh --test

lint: build
	.build/debug/flowlearn lint Intents

## Matcher speed and accuracy table (see BENCHMARKS.md).
bench: deps
	bench/run.sh

## libFuzzer on every decoder and parser of outside input, FUZZ_SECONDS per target (see BENCHMARKS.md).
FUZZ_SECONDS ?= 60
fuzz:
	scripts/fuzz.sh --seconds $(FUZZ_SECONDS)

## Only the store contract, on SQLite and on a throw-away PostgreSQL (after a build).
test-postgres:
	scripts/with-postgres.sh $(SWIFT) test --disable-xctest --filter "StoreContractTests"

## Only the three-replica test on PostgreSQL (after a build); its table goes in BENCHMARKS.md.
replicas:
	scripts/with-postgres.sh python3 scripts/replica-test.py --flowlearn .build/debug/flowlearn

## Only the Matrix end-to-end test (after a build).
matrix-e2e: test-deps
	.build-venv/bin/python scripts/matrix-e2e.py --flowlearn .build/debug/flowlearn --python .build-venv/bin/python

## Only the console's browser test (after a build).
console-browser: test-deps
	.build-venv/bin/python scripts/console-browser-test.py --flowlearn .build/debug/flowlearn

## Only the xAPI end-to-end test (after a build).
xapi-e2e: test-deps
	.build-venv-lrs/bin/python scripts/xapi-e2e.py --flowlearn .build/debug/flowlearn --python .build-venv-lrs/bin/python

clean:
	rm -rf .build
