# Steadfast. The logic lives in scripts/; these targets only call it.
.DEFAULT_GOAL := help
.PHONY: demo test down tools cluster cluster-down test-cluster capacity help

demo: ## Bring up Temporal, Postgres and the worker, and start the example engagement
	@bash scripts/demo.sh

test: ## Run every check and test: gofmt, go vet, workflowcheck, staticcheck, errcheck, go test -race, fuzz smoke
	@bash scripts/test.sh

down: ## Stop what `make demo` started (data stays in .steadfast/)
	@bash scripts/down.sh

cluster: ## Run a Postgres-backed Temporal server (production configuration) on 127.0.0.1:7233
	@bash scripts/cluster.sh up

cluster-down: ## Stop the server `make cluster` started (its data stays in Postgres)
	@bash scripts/cluster.sh down

test-cluster: ## Run the integration tests against `make cluster`'s server instead of dev servers
	@bash scripts/test-cluster.sh

capacity: ## Measure engagements held open on `make cluster`'s server and a dev server (scripts/capacity.sh; long)
	@bash scripts/capacity.sh

tools: ## Build the pinned Temporal CLI, workflowcheck, staticcheck and errcheck into bin/
	@bash scripts/tools.sh

help: ## Show this help
	@echo "Usage: make TARGET"
	@echo
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-13s %s\n", $$1, $$2}'
