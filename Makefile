# The two commands that matter: `make experiments` (the main job) and `make test`.
GO      ?= go
FUZZTIME ?= 30s
BIN     := bin/wisefuse

.PHONY: all build test vet fmt-check experiments experiments-quick data bench fuzz clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/wisefuse

# vet, gofmt check, then every test. Long runs sit behind -short in their own tests.
test: vet fmt-check
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needs to run on:"; echo "$$out"; exit 1; fi

# The main job: every experiment, tables + figures + results/REPORT.md. Interrupted runs resume.
experiments: build
	./$(BIN) experiments --out results

experiments-quick: build
	./$(BIN) experiments --quick --out results/quick

# The public measurements (AWS profiles, Step Functions definitions, Azure DAG structure) from
# their original repositories at pinned commits, SHA-256 checked, into the user's cache folder.
data: build
	./$(BIN) data fetch

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# Each fuzz target runs for FUZZTIME; a finding fails the target.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg; \
	  done; \
	done

clean:
	rm -rf bin
