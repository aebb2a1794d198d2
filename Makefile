SHELL := /bin/bash
# The two commands of the README: `make run` and `make test`. Both install what is missing.
SWIFT ?= swift
SYSTEM_PACKAGES := libcmark-dev libopenblas-dev liblapacke-dev pkg-config
VISUAL_PACKAGES := chromium librsvg2-bin
NOTEBOOKS := $(sort $(wildcard Notebooks/*.md))
JOBS ?= $(shell nproc)

SECONDS ?= 60
FUZZ_FLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld

.PHONY: all deps build run test fuzz check-visual bench layer-timing ksg-timing clean

all: run

deps:
	@bash scripts/install-deps.sh $(SYSTEM_PACKAGES)

BINARY := .build/release/infoplane
# Everything the release binary is built from: `make run` skips SwiftPM when none is newer.
BUILD_INPUTS := Package.swift Makefile $(shell find Sources -type f 2>/dev/null)

build: deps $(BINARY)

$(BINARY): $(BUILD_INPUTS)
	$(SWIFT) build -c release --product infoplane
	@touch $@

# Renders every notebook in Notebooks/ into Output/NAME/.
run: build
	$(BINARY) run --jobs $(JOBS) --output Output $(NOTEBOOKS)

# The whole test suite, then a short fuzzing run of parse + validate.
test: deps
	$(SWIFT) test
	$(MAKE) --no-print-directory fuzz SECONDS=20

# libFuzzer over parse + validate and the CSV/NPY/IDX readers (AddressSanitizer on), seeded with
# every notebook and data file we have.
# Crashes are written to .build-fuzz/crash-*. Long runs: make fuzz SECONDS=3600
fuzz: deps
	cd Fuzz && $(SWIFT) build $(FUZZ_FLAGS) --product NotebookFuzzer
	mkdir -p .build-fuzz/corpus
	cp Notebooks/*.md Tests/WorkflowTests/Catalogue/*.md Tests/WorkflowTests/Catalogue/data/* Tests/WorkflowTests/Fixtures/*.md .build-fuzz/corpus/
	SWIFT_BACKTRACE=enable=no Fuzz/.build/debug/NotebookFuzzer .build-fuzz/corpus -max_total_time=$(SECONDS) -max_len=8192 -timeout=10 \
		-artifact_prefix=.build-fuzz/ -print_final_stats=1 2>&1 | grep -E "^(Done|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" ; \
		test $${PIPESTATUS[0]} -eq 0

# Renders each committed report with headless Chromium and each SVG with rsvg-convert.
check-visual: deps
	@bash scripts/install-deps.sh $(VISUAL_PACKAGES)
	bash scripts/check-visual.sh

# Benchmarks (package-benchmark), beside the peers where a peer exists.
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

# Binning and KDE over a whole recorded Tishby run (Benchmarks/LayerTiming).
layer-timing: deps
	cd Benchmarks/LayerTiming && $(SWIFT) run -c release layer-timing $(ARGS)

# KSG on 5000-sample Gaussian pairs of 1, 5, 25 and 50 dimensions (Benchmarks/KSGTiming).
ksg-timing: deps
	cd Benchmarks/KSGTiming && $(SWIFT) run -c release ksg-timing $(ARGS)

clean:
	rm -rf .build .build-fuzz .infoplane Fuzz/.build Benchmarks/.build Benchmarks/LayerTiming/.build Benchmarks/KSGTiming/.build
