# The two commands of the README: `make run` and `make test`. Both install what is missing.
SWIFT ?= swift
SYSTEM_PACKAGES := libcmark-dev libopenblas-dev liblapacke-dev pkg-config
VISUAL_PACKAGES := chromium librsvg2-bin
NOTEBOOKS := $(sort $(wildcard Notebooks/*.md))
JOBS ?= $(shell nproc)

.PHONY: all deps build run test check-visual bench clean

all: run

deps:
	@bash scripts/install-deps.sh $(SYSTEM_PACKAGES)

build: deps
	$(SWIFT) build -c release --product infoplane

# Renders every notebook in Notebooks/ into Output/NAME/.
run: build
	.build/release/infoplane run --jobs $(JOBS) --output Output $(NOTEBOOKS)

# The whole test suite.
test: deps
	$(SWIFT) test

# Renders each committed report with headless Chromium and each SVG with rsvg-convert.
check-visual: deps
	@bash scripts/install-deps.sh $(VISUAL_PACKAGES)
	bash scripts/check-visual.sh

# Benchmarks (package-benchmark), beside the peers where a peer exists.
bench: deps
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark

clean:
	rm -rf .build .infoplane
