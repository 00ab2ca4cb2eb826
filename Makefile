# modelplane — `make up` (deploy a stack) and `make test` (everything, offline) are the two commands.
STACK ?= local
VENV ?= .venv
PY := $(VENV)/bin/python
export ANSIBLE_CONFIG := ansible/ansible.cfg

.PHONY: up down test render lint bench toolchain controlplane-up controlplane-down clean

$(VENV)/.installed: requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

# CLUSTER=controlplane: the stack rehearsed by the real engine on `make controlplane-up`'s cluster
# (harness/rehearsal.py: stand-in charts and operator status, since no pod runs there)
ifeq ($(CLUSTER),controlplane)
up: $(VENV)/.installed toolchain
	PATH="$$($(VENV)/bin/modelplane toolchain path):$$PATH" $(PY) -m harness.rehearsal --stack $(STACK)
else
up: $(VENV)/.installed
	@command -v pulumi >/dev/null || { echo "make up needs the Pulumi CLI on PATH: install it, or build it with make toolchain and put the output of .venv/bin/modelplane toolchain path first on PATH; make render STACK=$(STACK) shows what it would create without it"; exit 1; }
	@if [ "$(STACK)" = local ]; then \
	  name=$$($(PY) -c "from modelplane.engine.stackfile import read_stack; import json; c=json.loads(read_stack('local')[0]['modelplane:cluster']); print(c.get('kindCluster') or '')"); \
	  if [ -n "$$name" ] && ! kubectl config get-contexts "kind-$$name" >/dev/null 2>&1; then \
	    command -v kind >/dev/null || { echo "stack local targets kind cluster '$$name', which does not exist, and kind is not installed (https://kind.sigs.k8s.io/)"; exit 1; }; \
	    kind create cluster --name "$$name"; \
	  fi; \
	fi
	@# the footprint against the size preset needs the chart data; pulumi up itself cannot check it
	$(VENV)/bin/modelplane render --stack $(STACK) --out build/$(STACK)
	$(VENV)/bin/modelplane preflight --stack $(STACK)
	@[ -n "$$PULUMI_BACKEND_URL" ] || pulumi whoami >/dev/null 2>&1 || pulumi login --local
	pulumi stack select --create $(STACK)
	pulumi up --stack $(STACK)
endif

# the reverse of install order, keeping data, CRDs and tenant namespaces unless PURGE=1 CONFIRM=$(STACK)
DOWN_FLAGS = $(if $(PURGE),--purge) $(if $(CONFIRM),--confirm $(CONFIRM))
ifeq ($(CLUSTER),controlplane)
down: $(VENV)/.installed toolchain
	PATH="$$($(VENV)/bin/modelplane toolchain path):$$PATH" $(PY) -m harness.rehearsal --stack $(STACK) --down $(DOWN_FLAGS)
else
down: $(VENV)/.installed
	@command -v pulumi >/dev/null || { echo "make down needs the Pulumi CLI on PATH (see make up)"; exit 1; }
	$(VENV)/bin/modelplane down --stack $(STACK) $(DOWN_FLAGS)
endif

# the control plane and kubectl the tests run, from their Go modules (modelplane.toolchain), first on PATH
test: $(VENV)/.installed toolchain
	PATH="$$($(VENV)/bin/modelplane toolchain path):$$PATH" $(PY) -m pytest

render: $(VENV)/.installed
	$(VENV)/bin/modelplane render --stack $(STACK) --out build/$(STACK)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check components modelplane policies pulumi tests benchmarks harness ansible/collections
	$(VENV)/bin/yamllint -c .yamllint.yaml stacks
	$(VENV)/bin/ansible-lint ansible/
	@# ansible-lint does not parse modules' DOCUMENTATION; ansible-doc does, and fails on a broken one
	$(VENV)/bin/ansible-doc --json $$(ls ansible/collections/ansible_collections/modelplane/platform/plugins/modules/*.py \
	  | sed 's|.*/|modelplane.platform.|; s|\.py$$||') > /dev/null

# checkov (compared against in bench_check.py) has its own virtualenv: its pins must not move ours
$(VENV)-bench/bin/checkov:
	python3 -m venv $(VENV)-bench
	$(VENV)-bench/bin/pip install --quiet checkov==3.3.30

# kubectl, the bound of bench_onboard and bench_drift, is the toolchain's (the control plane's version)
bench: $(VENV)/.installed $(VENV)-bench/bin/checkov toolchain
	$(PY) benchmarks/bench_render.py
	PATH="$$($(VENV)/bin/modelplane toolchain path):$$PATH" $(PY) benchmarks/bench_onboard.py
	PATH="$$($(VENV)/bin/modelplane toolchain path):$$PATH" $(PY) benchmarks/bench_drift.py
	PATH="$$($(VENV)/bin/modelplane toolchain path):$$PATH" $(PY) benchmarks/bench_up.py
	CHECKOV=$(VENV)-bench/bin/checkov $(PY) benchmarks/bench_check.py

toolchain: $(VENV)/.installed
	$(VENV)/bin/modelplane toolchain build

controlplane-up: $(VENV)/.installed toolchain
	$(PY) -m harness.controlplane up

controlplane-down: $(VENV)/.installed
	$(PY) -m harness.controlplane down

clean:
	rm -rf build .pytest_cache
