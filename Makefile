# kaieval: make demo | make test | make bench
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 15
BENCH_BUILD ?= build-bench
JOBS ?= 2
CMAKE_FLAGS ?=

.PHONY: setup build web demo test test-asan fuzz bench clean

setup:
	@bash scripts/setup

build: setup web
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)

# The contest's web pages (web/dist) and the static stage report page (web/dist-report), rebuilt
# when a source changed.
WEB_SOURCES := $(wildcard web/src/* web/*.html web/package-lock.json web/vite.config.js \
	web/vite.report.config.js web/tsconfig.json)
web: web/dist/index.html web/dist-report/report.html
web/dist/index.html web/dist-report/report.html &: $(WEB_SOURCES)
	@cd web && npm run --silent build >/dev/null

demo: build
	@$(BUILD)/kaieval demo --out out/demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz

# The unit tests once more under AddressSanitizer and UndefinedBehaviorSanitizer.
test-asan: setup
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKAIEVAL_SANITIZE=ON \
		-DKAIEVAL_BENCH=OFF >/dev/null
	@ninja -C $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) -L unit

# Every libFuzzer target for FUZZ_SECONDS each, built with clang.
fuzz: setup
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DKAIEVAL_FUZZ=ON \
		-DKAIEVAL_TESTS=OFF -DKAIEVAL_BENCH=OFF >/dev/null
	@JOBS=$(JOBS) bash scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: setup
	@cmake -S . -B $(BENCH_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@ninja -C $(BENCH_BUILD) -j $(JOBS)
	@bash bench/run.sh $(BENCH_BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BENCH_BUILD) $(FUZZ_BUILD)
