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

# Each fuzz target runs for FUZZTIME. Every target runs even when one finds something; the
# failures are listed at the end and make the target fail. A finding is kept by go test under
# the package's testdata/fuzz/FuzzX/, where plain `go test` then replays it as a regression test.
fuzz:
	@failed=""; n=0; \
	for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    n=$$((n+1)); echo "== $$pkg $$t"; \
	    if ! $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s $$pkg; then \
	      failed="$$failed $$pkg.$$t"; \
	    fi; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then \
	  echo "fuzz: $$n targets; failed:"; for f in $$failed; do echo "  $$f"; done; exit 1; \
	fi; \
	echo "fuzz: $$n targets, none failed"

clean:
	rm -rf bin
