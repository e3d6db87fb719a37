# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# lint: ruff over the project's packages and tests
.PHONY: lint install run index status serve test browser postgres tesseract corpus check-corpus eval bench bench-quick clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# CPU build of torch from the file on these machines; a plain `torch` pulls a CUDA build.
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/eip index

status: install
	$(BIN)/eip status

run: index
	$(BIN)/eip serve

# The end-to-end UI test drives Debian's Chromium through Playwright (no browser download).
browser:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# Review-store tests also run against a private PostgreSQL server that the test fixture starts
# from Debian's postgresql package (the tests skip, saying why, where it cannot be installed).
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
		(apt-get update && apt-get install -y postgresql) || \
		echo "postgresql could not be installed: the PostgreSQL tests will be skipped"

# OCR of scanned PDF pages uses Debian's Tesseract with English and Khmer data (issue 20).
tesseract:
	@(command -v tesseract >/dev/null && tesseract --list-langs 2>/dev/null | grep -qx khm) || \
		(apt-get update && apt-get install -y tesseract-ocr tesseract-ocr-eng tesseract-ocr-khm)

test: install browser postgres tesseract
	$(BIN)/python -m pytest

corpus: install
	$(BIN)/python -m corpus.build

check-corpus: install
	$(BIN)/python -m corpus.build --check

eval: install
	$(BIN)/eip eval --questions evals/questions.jsonl --compare --report docs/eval.md

# Benchmarks against the LangChain baseline; both rewrite docs/benchmarks.md. The full run
# indexes ~1,070 pages three times with each pipeline, alternating (see the doc for how long
# that takes); the quick run one pair at ~120 pages.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench.run

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m bench.run --quick

lint: install
	$(BIN)/python -m ruff check assistant indexing evals tests corpus

clean:
	rm -rf .eip
