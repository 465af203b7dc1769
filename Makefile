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

.PHONY: help audit test venv system-deps collection-link images unit integration integration-host \
        integration-images lint molecule \
        build-collection bench clean sanity compat fuzz

help:
	@echo "make audit   - audit this machine, write $(REPORT_DIR)/<host>.json"
	@echo "make test    - install everything and run unit, integration, lint and molecule"
	@echo "make bench   - run the benchmarks in bench/"
	@echo "make fuzz    - the long fuzzing run (hypothesis properties, regex work counts)"

$(BIN)/.stamp: requirements-dev.txt meta/ee-requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements-dev.txt
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

# pytest's temporary trees live in the checkout (rm -rf first: coreutils removes the 1,000-deep
# trees the hostile-tree tests make, which pytest's own recursive cleanup cannot).
PYTEST_TMP := $(CURDIR)/.cache/pytest

unit: venv collection-link
	rm -rf $(PYTEST_TMP)/unit && mkdir -p $(PYTEST_TMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider --basetemp=$(PYTEST_TMP)/unit tests/unit

# The longer fuzzing run (issue 17): the same bounded hypothesis properties and work-counting
# linearity tests as `make unit`, with many more examples and 1 MiB adversarial lines (every
# malicious-line pattern, every literal regex of the target code, the oomlog parsers).
FUZZ_EXAMPLES ?= 3000
FUZZ_BIG ?= 1048576
fuzz: venv collection-link
	HOSTGUARD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) HOSTGUARD_FUZZ_BIG=$(FUZZ_BIG) \
	  $(BIN)/python -m pytest -q tests/unit -k "property or linear or lying or hostile"

# Lowering oom_score_adj (a real -1000 "immune" process) needs CAP_SYS_RESOURCE, which root
# lacks on these VMs; such tests are deselected there, loudly, never counted as passed.
HAS_CAP_SYS_RESOURCE := $(shell c=$$(awk '/^CapEff/ {print $$2}' /proc/self/status); [ -n "$$c" ] && (( (0x$$c >> 24) & 1 )) && echo yes || echo no)
CAP_MARK := $(if $(filter yes,$(HAS_CAP_SYS_RESOURCE)),,not needs_cap_sys_resource)
# The integration suite in two parts (the `images` marker is set by tests/conftest.py from a test
# file's text): `integration-host` needs no container image and runs while the images build;
# `integration-images` needs them. `integration` runs both in one pytest.
PART_MARK_host := not images
PART_MARK_images := images
integration_mark = $(strip $(CAP_MARK)$(if $(and $(CAP_MARK),$(PART_MARK_$(1))), and )$(PART_MARK_$(1)))
define RUN_INTEGRATION
	@[ -z '$(CAP_MARK)' ] || echo "NOTE: root lacks CAP_SYS_RESOURCE here: deselecting tests marked needs_cap_sys_resource (not run, not passed)"
	rm -rf $(PYTEST_TMP)/integration-$(1) && mkdir -p $(PYTEST_TMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider --durations=15 --basetemp=$(PYTEST_TMP)/integration-$(1) \
	  $(if $(call integration_mark,$(1)),-m "$(call integration_mark,$(1))") tests/integration
endef

integration: venv collection-link system-deps images
	$(call RUN_INTEGRATION,all)

integration-host: venv collection-link system-deps
	$(call RUN_INTEGRATION,host)

integration-images: venv collection-link system-deps images
	$(call RUN_INTEGRATION,images)

lint: venv collection-link
	$(BIN)/ansible-lint --profile production
	$(BIN)/python scripts/check_docs.py
	$(BIN)/python scripts/gen_role_specs.py --check
	$(MAKE) sanity

# ansible-test sanity, offline (scripts/sanity-bootstrap.sh stands in for get-pip.py).
sanity: venv system-deps
	PYTHON=$(BIN)/python scripts/sanity.sh

# requires_ansible honest: unit suite + one host_audit playbook on ansible-core 2.15 and 2.17.
compat: collection-link
	PYTHON=$(PYTHON) scripts/compat.sh

build-collection: venv
	rm -rf build && mkdir -p build
	$(BIN)/ansible-galaxy collection build --force --output-path build .

# SCENARIOS="a b" runs only those; default: every molecule/*/molecule.yml
molecule: venv collection-link images
	scripts/run-molecule.sh $(SCENARIOS)

# `make test`, in order (each phase prints `== HH:MM:SS phase`; docs/harness.md, "`make test`"):
# - the image build (debootstrap, two lanes: scripts/build-images.sh) starts first, in the
#   background; it marks each image ready in $(IMAGES_READY) as soon as it is there;
# - Molecule starts at once, in the background (two scenarios side by side, longest first);
#   each scenario begins when the images its molecule.yml names are ready (scripts/run-molecule.sh);
# - unit and compat side by side (compat's log printed when it ends);
# - lint (ansible-lint, check_docs, ansible-test sanity: CPU, no containers) in the background;
# - integration-host (the integration tests that need no image) in the foreground, while the
#   images still build; then the image build is waited for and integration-images runs;
# - the run ends when lint and then Molecule have ended, each log printed then.
# A failure anywhere stops the image build, waits for lint and for Molecule (which removes its
# containers; after a unit, compat or integration-host failure it is stopped first) and then
# fails the run. A run interrupted before (Ctrl-C, a CI timeout) may leave the image build or
# Molecule running: the next `make test` stops them first. Do not run `make -n test` beside a
# running `make test` in the same checkout: make runs the $(MAKE) lines even under -n.
# Why everything overlaps: the 2 cores are saturated once integration and Molecule run, so the
# run's length follows its total CPU; what shortens it is removing idle time (the image build
# is disk and network: ~12 min cold here for the seven images) and CPU.
IMAGES_LOG := $(CURDIR)/.cache/images.log
IMAGES_READY := $(CURDIR)/.cache/images-ready
IMAGES_WAIT := pid=$$(cat .cache/images.pid); while [ ! -s $(IMAGES_READY)/.exit ] && kill -0 $$pid 2>/dev/null; do sleep 2; done
# $(call RC_WAIT,<job>,<seconds>): wait until a background job has written .cache/<job>.rc
RC_WAIT = while [ ! -s .cache/$(1).rc ]; do sleep $(2); done
MOLECULE_LOG := $(CURDIR)/.cache/molecule.log
MOLECULE_WAIT := $(call RC_WAIT,molecule,5)
MOLECULE_STOP := while [ ! -s .cache/molecule.pid ] && [ ! -s .cache/molecule.rc ]; do sleep 1; done; \
  kill -- -$$(cat .cache/molecule.pid) 2>/dev/null; $(MOLECULE_WAIT)
COMPAT_LOG := $(CURDIR)/.cache/compat.log
LINT_LOG := $(CURDIR)/.cache/lint.log
LINT_WAIT := $(call RC_WAIT,lint,5)
IMAGES_STOP := kill -- -$$(cat .cache/images.pid) 2>/dev/null
PHASE = @echo "== $$(date -u +%H:%M:%S) $(1)"
test: system-deps venv collection-link
	@mkdir -p .cache; for f in .cache/images.pid .cache/molecule.pid; do \
	  p=$$(cat $$f 2>/dev/null) && grep -qs -e build-images -e run-molecule /proc/$$p/cmdline && \
	  { echo "stopping what an interrupted run left: $$f ($$p)"; kill -- -$$p 2>/dev/null; sleep 5; }; done; \
	  rm -rf $(IMAGES_READY) .cache/*.pid .cache/molecule.rc .cache/lint.rc .cache/compat.rc
	$(call PHASE,images (in the background))
	@HG_IMAGES_READY_DIR=$(IMAGES_READY) setsid scripts/build-images.sh > $(IMAGES_LOG) 2>&1 & echo $$! > .cache/images.pid
	$(call PHASE,molecule (in the background; each scenario once its images are ready))
	@( HG_IMAGES_READY_DIR=$(IMAGES_READY) HG_IMAGES_PID=$$(cat .cache/images.pid) setsid scripts/run-molecule.sh $(SCENARIOS) > $(MOLECULE_LOG) 2>&1 & \
	   echo $$! > .cache/molecule.pid; wait $$!; echo $$? > .cache/molecule.rc ) &
	$(call PHASE,unit and compat (side by side))
	@( $(MAKE) compat > $(COMPAT_LOG) 2>&1; echo $$? > .cache/compat.rc ) & \
	  $(MAKE) unit; rc=$$?; $(call RC_WAIT,compat,2); cat $(COMPAT_LOG); \
	  [ $$rc = 0 ] && [ "$$(cat .cache/compat.rc)" = 0 ] || { $(IMAGES_STOP); $(MOLECULE_STOP); exit 1; }
	$(call PHASE,lint (in the background))
	@( $(MAKE) lint > $(LINT_LOG) 2>&1; echo $$? > .cache/lint.rc ) &
	$(call PHASE,integration-host (while the images build))
	$(MAKE) integration-host || { $(IMAGES_STOP); $(LINT_WAIT); $(MOLECULE_STOP); cat $(MOLECULE_LOG); exit 1; }
	$(call PHASE,waiting for the images)
	@$(IMAGES_WAIT); cat $(IMAGES_LOG)
	scripts/build-images.sh || { $(LINT_WAIT); $(MOLECULE_WAIT); cat $(MOLECULE_LOG); exit 1; }
	$(call PHASE,integration-images)
	$(MAKE) integration-images || { $(LINT_WAIT); $(MOLECULE_WAIT); cat $(MOLECULE_LOG); exit 1; }
	$(call PHASE,waiting for lint)
	@$(LINT_WAIT); cat $(LINT_LOG); [ "$$(cat .cache/lint.rc)" = 0 ] || { $(MOLECULE_WAIT); cat $(MOLECULE_LOG); exit 1; }
	$(call PHASE,waiting for molecule)
	@$(MOLECULE_WAIT); cat $(MOLECULE_LOG); [ "$$(cat .cache/molecule.rc)" = 0 ]
	$(call PHASE,done)

bench: venv collection-link system-deps
	$(BIN)/python bench/run_all.py

clean:
	rm -rf build .cache reports .pytest_cache
