# Makerspace: the two commands are `make run` and `make test` (see README.md).
#
# Everything the server needs is built into build/; everything it runs
# (the private PostgreSQL cluster, the generated Kore config, logs) lives
# under var/ (or a directory under /tmp when var/ is not reachable by the
# unprivileged database user, see conf/pg.sh).

PORT		?= 8888
WORKERS		?= 2
CC		?= cc
KORE		?= /usr/bin/kore

BUILD		:= build
VAR		:= var

# Kore must be compiled against with its own feature flags, or struct
# http_request has another layout (docs/kore.md#building-against-kore).
KORE_FEATURES	:= $(shell cat /usr/share/kore/features 2>/dev/null)
PKGS		:= libcmark gdlib libpq jansson libsodium libqrencode

WARN		:= -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
		   -Wmissing-declarations -Wshadow -Wpointer-arith -Wcast-qual \
		   -Wsign-compare -Wtype-limits -Wno-unused-parameter
BASE_CFLAGS	:= -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -g $(WARN) \
		   -fstack-protector-strong -Iapp
CFLAGS_APP	= $(BASE_CFLAGS) -O2 -fPIC $(KORE_FEATURES) \
		   $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
		   -DSCHEMA_VERSION=$(SCHEMA_VERSION)
LIBS_APP	= $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ljpeg -lm

# The schema version the code expects is the number of the newest
# migration; the server refuses to start against an older database.
MIGRATIONS	:= $(sort $(wildcard migrations/[0-9][0-9][0-9][0-9]_*.sql))
SCHEMA_VERSION	:= $(shell ls migrations 2>/dev/null | \
		   sed -n 's/^\([0-9]\{4\}\)_.*\.sql$$/\1/p' | sort | tail -1 | \
		   sed 's/^0*//')

# Pure modules: no Kore, unit-tested with sanitizers and fuzzed.
PURE_SRC	:= app/buf.c app/tmpl.c app/md.c app/form.c app/i18n.c app/text.c \
		   app/img.c app/search.c app/excerpt.c app/jparse.c app/pwcheck.c \
		   app/netaddr.c app/avatar.c app/device.c app/ical.c app/csv.c \
		   app/qr.c app/guard_rule.c
APP_SRC		:= $(filter-out app/migrate.c, $(wildcard app/*.c))
APP_OBJ		:= $(APP_SRC:app/%.c=$(BUILD)/obj/%.o)
BENCH_OBJ	:= $(APP_SRC:app/%.c=$(BUILD)/obj-bench/%.o)
SAN_OBJ		:= $(APP_SRC:app/%.c=$(BUILD)/obj-san/%.o)
HDRS		:= $(wildcard app/*.h)

UNIT_TESTS	:= $(patsubst tests/unit/test_%.c,$(BUILD)/unit/test_%, \
		   $(wildcard tests/unit/test_*.c))
SAN		:= -fsanitize=address,undefined -fno-omit-frame-pointer \
		   -fno-sanitize-recover=undefined
UNIT_CFLAGS	:= $(BASE_CFLAGS) -O1 $(SAN)
UNIT_LIBS	:= -lcmark -ljansson -lsodium -lgd -ljpeg -lqrencode -lm

FUZZERS		:= $(patsubst tests/fuzz/fuzz_%.c,$(BUILD)/fuzz/fuzz_%, \
		   $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS	?= 60

.PHONY: all deps build run stop test unit e2e bench fuzz clean db migrate \
	check-deps node-deps check-docs demo-photos

all: build

# ---------------------------------------------------------------------
# Packages.  As root (CI, a fresh machine) the missing ones are
# installed; as a normal user the one apt-get line is printed.  Every
# target people run asks for what it uses: deps (Debian packages, among
# them clang and libclang-rt for the fuzzers, wrk for the bench) and
# node-deps (the npm packages of the tests and the bench: ws, the
# playwright driver).  Rules that need a package have deps order-only,
# so that `make -j` installs before it compiles.
deps:
	@conf/deps.sh

node-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# ---------------------------------------------------------------------
# Build.
build: $(BUILD)/app.so $(BUILD)/migrate $(BUILD)/demo-sql

$(BUILD)/obj/%.o: app/%.c $(HDRS) migrations Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_APP) -c $< -o $@

$(BUILD)/app.so: $(APP_OBJ)
	@echo "  LD      $@"
	@$(CC) -shared -o $@ $(APP_OBJ) $(LIBS_APP)

# The benchmark build adds one route returning a constant (the "C"
# reference of docs/performance.md#how-to-measure); never in app.so.
$(BUILD)/obj-bench/%.o: app/%.c $(HDRS) migrations Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $< (bench)"
	@$(CC) $(CFLAGS_APP) -DMAKERSPACE_BENCH -c $< -o $@

$(BUILD)/app-bench.so: $(BENCH_OBJ)
	@echo "  LD      $@"
	@$(CC) -shared -o $@ $(BENCH_OBJ) $(LIBS_APP)

# The server the e2e and browser tests run: the same code built with
# AddressSanitizer and UBSan (tests/run.sh preloads the runtime, since
# /usr/bin/kore is not instrumented).  make run and make bench use app.so.
$(BUILD)/obj-san/%.o: app/%.c $(HDRS) migrations Makefile
	@mkdir -p $(dir $@)
	@echo "  CC      $< (ASan, UBSan)"
	@$(CC) $(CFLAGS_APP) -O1 $(SAN) -DMAKERSPACE_SAN -c $< -o $@

$(BUILD)/app-san.so: $(SAN_OBJ)
	@echo "  LD      $@"
	@$(CC) -shared $(SAN) -o $@ $(SAN_OBJ) $(LIBS_APP)

$(BUILD)/migrate: app/migrate.c Makefile
	@mkdir -p $(BUILD)
	$(CC) $(BASE_CFLAGS) -O2 $(shell pkg-config --cflags libpq) \
	    app/migrate.c -o $@ $(shell pkg-config --libs libpq)

# The demo content as SQL (conf/serve.sh loads it for make run and the
# tests, never the server): Markdown, search tokens and photo sizes made
# by the server's own pure modules.
DEMO_SRC	:= app/img.c app/md.c app/search.c app/buf.c

$(BUILD)/demo-sql: tests/fixtures/demo/demo_sql.c $(DEMO_SRC) $(HDRS) Makefile
	@mkdir -p $(BUILD)
	@echo "  CC      $@"
	@$(CC) $(BASE_CFLAGS) -O2 $(shell pkg-config --cflags $(PKGS) 2>/dev/null) \
	    $< $(DEMO_SRC) -o $@ -lcmark -ljansson -lgd -ljpeg -lsodium -lm

# Maintainers only: redraw the demo's photos (committed; see draw.c).
demo-photos:
	@mkdir -p $(BUILD)/demo
	@$(CC) $(BASE_CFLAGS) -O2 tests/fixtures/demo/draw.c -o $(BUILD)/demo/draw \
	    -lgd -lm
	@$(BUILD)/demo/draw tests/fixtures/demo/photos

# ---------------------------------------------------------------------
# Run: private cluster, migrations, demo data once, Kore in the
# foreground.  A second `make run` reuses the cluster and its data.
run: deps build
	@conf/serve.sh run "$(PORT)" "$(WORKERS)"

stop:
	@conf/serve.sh stop

db: deps build
	@conf/serve.sh db

# ---------------------------------------------------------------------
# Tests: unit (C, sanitizers), end-to-end (HTTP) and browser, against a
# throw-away cluster and port.  One summary line at the end.
test: deps build $(BUILD)/app-san.so $(UNIT_TESTS) node-deps
	@tests/run.sh

unit: deps $(UNIT_TESTS)
	@tests/run.sh unit

# The project's docs match the tree: every route of conf/routes.conf in
# docs/api.md and back, every citation of docs/ resolves (tests/run.sh
# counts it too).
check-docs:
	@node tests/check_docs.mjs

$(BUILD)/unit/test_%: tests/unit/test_%.c $(PURE_SRC) $(HDRS) tests/unit/unit.h \
	    | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (ASan, UBSan)"
	@$(CC) $(UNIT_CFLAGS) $< $(PURE_SRC) -o $@ $(UNIT_LIBS)

# ---------------------------------------------------------------------
# Fuzzing (clang + libFuzzer).
fuzz: deps $(FUZZERS)
	@for f in $(FUZZERS); do \
		mkdir -p tests/fuzz/corpus-$$(basename $$f); \
		echo "== $$f ($(FUZZ_SECONDS)s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		    -use_value_profile=1 \
		    tests/fuzz/corpus-$$(basename $$f) $$(cat \
		    tests/fuzz/$$(basename $$f).seeds 2>/dev/null) || exit 1; \
	done

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(PURE_SRC) $(HDRS) | deps
	@mkdir -p $(dir $@)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Iapp \
	    -fsanitize=fuzzer,address,undefined $< $(PURE_SRC) -o $@ $(UNIT_LIBS)

# ---------------------------------------------------------------------
bench: deps build node-deps $(BUILD)/app-bench.so $(BUILD)/bench/thumb \
	    $(BUILD)/bench/board_tokens
	@tests/bench/run.sh

$(BUILD)/bench/thumb: tests/bench/thumb.c app/img.c app/buf.c $(HDRS)
	@mkdir -p $(dir $@)
	@$(CC) $(BASE_CFLAGS) -O2 $< app/img.c app/buf.c -o $@ \
	    -lgd -ljpeg -lsodium -lm

# The search tokens of the board's bench phrases (tests/bench/data_board.sql).
$(BUILD)/bench/board_tokens: tests/bench/board_tokens.c app/search.c app/buf.c \
	    $(HDRS)
	@mkdir -p $(dir $@)
	@$(CC) $(BASE_CFLAGS) -O2 $< app/search.c app/buf.c -o $@

clean:
	rm -rf $(BUILD)
