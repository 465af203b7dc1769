# hostguard.hardening — the two commands a newcomer needs:
#   make audit   audit this machine (localhost), print a summary, write reports/<host>.json
#   make test    install everything (apt packages, venv, container images), run every suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        ?= $(CURDIR)/.venv
PYTHON      ?= /usr/bin/python3
BIN         := $(VENV)/bin
COLL_LINK   := .collections/ansible_collections/hostguard/hardening
REPORT_DIR  ?= $(CURDIR)/reports

export ANSIBLE_CONFIG       := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
export CONTAINERS_CONF      := $(CURDIR)/molecule/containers.conf
export ANSIBLE_LOCAL_TEMP   := $(CURDIR)/.cache/ansible-tmp
export ANSIBLE_HOME         := $(CURDIR)/.cache/ansible-home
export PATH                 := $(BIN):$(PATH)

.PHONY: help audit test venv system-deps collection-link images unit integration lint molecule \
        build-collection bench clean

help:
	@echo "make audit   - audit this machine, write $(REPORT_DIR)/<host>.json"
	@echo "make test    - install everything and run unit, integration, lint and molecule"
	@echo "make bench   - run the benchmarks in bench/"

$(BIN)/.stamp: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

venv: $(BIN)/.stamp

collection-link:
	@mkdir -p $(dir $(COLL_LINK)) .cache/ansible-tmp .cache/ansible-home
	@test -L $(COLL_LINK) || ln -s ../../.. $(COLL_LINK)

system-deps:
	scripts/install-system-deps.sh

images: system-deps
	scripts/build-images.sh

audit: venv collection-link
	$(BIN)/ansible-playbook playbooks/audit.yml -e hostguard_report_dir=$(REPORT_DIR) $(AUDIT_ARGS)

unit: venv collection-link
	$(BIN)/python -m pytest -q tests/unit

integration: venv collection-link system-deps images
	$(BIN)/python -m pytest -q tests/integration

lint: venv collection-link
	$(BIN)/ansible-lint --profile production
	$(BIN)/python scripts/check_docs.py

build-collection: venv
	rm -rf build && mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

# SCENARIOS="a b" runs only those; default: every molecule/*/molecule.yml
molecule: venv collection-link images
	scripts/run-molecule.sh $(SCENARIOS)

test: system-deps venv collection-link images
	$(MAKE) unit
	$(MAKE) integration
	$(MAKE) lint
	$(MAKE) molecule

bench: venv collection-link system-deps
	$(BIN)/python bench/run_all.py

clean:
	rm -rf build .cache reports .pytest_cache
