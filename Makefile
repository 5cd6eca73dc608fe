GO    ?= go
BIN   := bin/ptransform
DEMO_OUT ?= $(or $(TMPDIR),/tmp)/ptransform-demo.csv

.PHONY: build test bench demo lint fuzz install

build:
	$(GO) build -o $(BIN) ./cmd/ptransform

# Installs the binary, its man page and its bash, zsh and fish completions under
# $(DESTDIR)$(PREFIX), all generated from the binary's own command definitions.
PREFIX ?= /usr/local
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/ptransform
	$(BIN) man > $(DESTDIR)$(PREFIX)/share/man/man1/ptransform.1
	$(BIN) completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/ptransform
	$(BIN) completion zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_ptransform
	$(BIN) completion fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/ptransform.fish

# The one test command (README and .ci/run call exactly this).
test:
	$(GO) test -race -timeout 30m ./...

# End-to-end figures of the jobs users run, --workers 2 and 1, against cp, Miller and
# DuckDB where installed (ROWS=... to change the ~1 GB input, JOBS=... to pick jobs; see
# scripts/bench.sh), then the Go micro-benchmarks of the hot paths. Not run by CI.
bench:
	scripts/bench.sh
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

demo: build
	$(BIN) apply -e 'total = round(unit_price * qty * (1 - (discount ?? 0)), 2)' -w 'total > 1000' --select order_id,date,region,product,total testdata/example/sales.csv -o $(DEMO_OUT)
	@echo "wrote $(DEMO_OUT):"; head -5 $(DEMO_OUT)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# Short runs of every fuzz target (go test -fuzz takes one target at a time). New inputs
# are not minimized (FUZZMINIMIZE=1x): minimizing each one, by default for up to a
# minute, left the slower targets (a Parquet file, a whole CSV in chunks) a few dozen
# inputs in a run of 90 s. A failing input is saved either way.
fuzz:
	@for pkg in $$($(GO) list ./internal/...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $${FUZZTIME:-20s} -fuzzminimizetime $${FUZZMINIMIZE:-1x} $$pkg || exit 1; \
	  done; \
	done
