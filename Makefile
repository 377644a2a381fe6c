# FlowLearn: the two commands are `make run` and `make test` (see README.md).
SWIFT ?= swift
CONFIG ?= config.example.json

.PHONY: run test build deps test-deps lint bench clean

## Install missing system packages, build (release) and serve with $(CONFIG).
run: deps
	$(SWIFT) build -c release --product flowlearn
	.build/release/flowlearn serve --config $(CONFIG)

## Install what the tests need, build, run every test, and lint the shipped content.
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --disable-xctest
	.build/debug/flowlearn lint Intents

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

clean:
	rm -rf .build
