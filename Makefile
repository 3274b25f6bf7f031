# weir - one non-recursive Makefile.
#
#   make          build build/weir
#   make test     install missing Debian packages, build, run every test layer
#   make asan     the same suite under AddressSanitizer + UBSan (build-asan/)
#   make fuzz     build the libFuzzer targets and fuzz the parser for FUZZ_SECONDS
#   make demo     the flagship example
#   make deps     install missing Debian packages (idempotent)
#
# Generated sources (re2c lexer, lemon parser) go to $(B)/ only.

B        ?= build
CC       ?= cc
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)

# Debian packages weir needs to build and test (see README "Dependencies").
DEBS := build-essential pkg-config re2c lemon librdkafka-dev libjansson-dev liblmdb-dev \
        libuv1-dev libedit-dev libxxhash-dev libpcre2-dev libicu-dev libssl-dev libcmocka-dev \
        clang libclang-rt-14-dev kcat python3 python3-confluent-kafka tmux tzdata

PKGS     := rdkafka jansson libuv libpcre2-8 icu-uc icu-i18n libedit libcrypto libxxhash
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -llmdb -lm -lpthread

# gcc's -Wshadow=local has no clang spelling; clang gets its closest equivalent.
SHADOW   := $(if $(findstring clang,$(CC)),-Wshadow-uncaptured-local,-Wshadow=local)
WARN     := -Wall -Wextra -Werror -Wno-unused-parameter $(SHADOW) -Wstrict-prototypes
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g $(WARN) -Iengine -Iparser -Istate -Ioperators -I$(B) $(PKG_CFLAGS)
OPT      ?= -O2
SAN      ?=
CFLAGS_ALL := $(CFLAGS_BASE) $(OPT) $(SAN) $(EXTRA_CFLAGS)
LDFLAGS_ALL := $(SAN) $(EXTRA_LDFLAGS)

# ---------------------------------------------------------------- sources
GEN_C    := $(B)/lexer.c $(B)/grammar.c
LIB_SRC  := $(filter-out engine/main.c,$(wildcard parser/*.c engine/*.c operators/*.c state/*.c))
LIB_OBJ  := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRC)) $(B)/obj/gen/lexer.o $(B)/obj/gen/grammar.o
MAIN_OBJ := $(B)/obj/engine/main.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps test asan fuzz demo clean units bench

all: $(B)/weir

# ---------------------------------------------------------------- generated code
$(B)/lexer.c: parser/lexer.re $(B)/grammar.h | $(B)
	@echo "  RE2C    $<"
	$(Q)re2c -W --no-generation-date -o $@ $<

$(B)/grammar.c $(B)/grammar.h &: parser/grammar.y | $(B)
	@echo "  LEMON   $<"
	$(Q)cp parser/grammar.y $(B)/grammar.y
	$(Q)lemon -q -l -d$(B) -T/usr/share/lemon/lempar.c $(B)/grammar.y

# generated code: same includes, relaxed warnings (not ours to fix)
$(B)/obj/gen/%.o: $(B)/%.c | $(B)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_BASE) $(OPT) $(SAN) $(EXTRA_CFLAGS) -Wno-error -Wno-unused-variable \
	  -Wno-unused-but-set-variable -Wno-sign-compare -Wno-implicit-fallthrough -Wno-shadow \
	  -MMD -MP -c -o $@ $<

# ---------------------------------------------------------------- our code
$(B)/obj/%.o: %.c | $(B)/grammar.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/libweir.a: $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/weir: $(MAIN_OBJ) $(B)/libweir.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(B):
	@mkdir -p $(B)

# ---------------------------------------------------------------- tests
$(B)/tests/%: tests/unit/%.c $(B)/libweir.a tests/unit/unit.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(B)/libweir.a $(LDFLAGS_ALL) $(PKG_LIBS) -lcmocka

# Each fuzz target is also built as a plain replay binary over its seed corpus (make test).
FUZZ_REPLAY := $(patsubst tests/fuzz/%.c,$(B)/tests/%_replay,$(FUZZ_SRC))
$(B)/tests/%_replay: tests/fuzz/%.c tests/fuzz/replay.c $(B)/libweir.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< tests/fuzz/replay.c $(B)/libweir.a $(LDFLAGS_ALL) $(PKG_LIBS)

units: $(UNIT_BIN) $(FUZZ_REPLAY)

deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (or install:$$missing)" >&2; exit 1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# The whole suite; the last line is "N passed, N failed".
test: deps
	$(Q)$(MAKE) --no-print-directory all units
	$(Q)B=$(B) bash tests/run.sh

asan: deps
	$(Q)$(MAKE) --no-print-directory B=build-asan CC=clang OPT=-O1 \
	  SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	  all units
	$(Q)B=build-asan ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 bash tests/run.sh

# libFuzzer targets: build-fuzz/fuzz_*; FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz: deps
	$(Q)$(MAKE) --no-print-directory B=build-fuzz CC=clang OPT=-O1 \
	  SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" build-fuzz/libweir.a
	$(Q)for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
	  clang $(filter-out -Wshadow=local,$(CFLAGS_BASE)) -O1 -fsanitize=fuzzer,address,undefined -o build-fuzz/$$n $$f \
	    build-fuzz/libweir.a $(PKG_LIBS) || exit 1; \
	  mkdir -p build-fuzz/corpus-$$n; \
	  build-fuzz/$$n -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus-$$n tests/fuzz/corpus/$$n || exit 1; \
	done

# Benchmarks (bench/README.md); figures are printed, never asserted.
$(B)/bench/%: bench/%.c $(B)/libweir.a
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libweir.a $(LDFLAGS_ALL) $(PKG_LIBS)

bench: deps all $(B)/bench/engine_bench $(B)/bench/kafka_bench
	$(Q)$(B)/bench/engine_bench
	$(Q)bash bench/test_cases.sh $(B)
	$(Q)bash bench/kafka.sh $(B)

demo: deps all
	$(Q)bash examples/demo.sh

clean:
	rm -rf $(B) build-asan build-fuzz

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
