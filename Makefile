# Set-up and everyday commands.  Every target installs what it needs into .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
SAMPLE = samples/suzhou-post-2022.txt
PROFILE = samples/suzhou-post.profile.toml
OUT = output/suzhou-post-2022

.PHONY: demo test bench system-packages clean

demo: $(VENV)/.installed system-packages
	$(BIN)/plandoc parse $(SAMPLE) --profile $(PROFILE) -o $(OUT)/plan.json
	$(BIN)/plandoc parse $(SAMPLE) --profile $(PROFILE) --format table -q -o $(OUT)/plan.txt
	$(BIN)/plandoc build $(SAMPLE) --profile $(PROFILE) -o output
	@echo "demo written to $(OUT)/latest/ (the warning about line 78 is right: the sample prints section 五 as a second 六)"

test: $(VENV)/.installed system-packages
	$(BIN)/python -m pytest -q -rs

bench: $(VENV)/.installed system-packages
	@# the project's bytecode, as an installed package has it (pip compiles at install; an editable
	@# install leaves it to the first run, which writes none where PYTHONDONTWRITEBYTECODE is set)
	$(BIN)/python -m compileall -q parser plandoc
	$(BIN)/python benchmarks/bench_parse.py
	$(BIN)/python benchmarks/bench_build.py
	$(BIN)/python benchmarks/bench_revise.py
	$(BIN)/python benchmarks/bench_large_build.py
	$(BIN)/python benchmarks/bench_scale.py
	$(BIN)/python benchmarks/bench_robustness.py
	$(BIN)/python benchmarks/bench_ledger.py
	$(BIN)/python benchmarks/bench_review.py

# fonts and the libraries WeasyPrint draws them with, for PDF output (apt-get when run as root)
system-packages: $(VENV)/.installed
	@sh tools/system-packages.sh $(BIN)/python

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) output/suzhou-post-2022 *.egg-info
