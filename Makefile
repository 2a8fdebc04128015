.PHONY: run test check bench loadtest

run:  ## the whole product with demo data
	bin/run

test:  ## every test
	bin/test

check:  ## the gates CI holds: lint and format (ruff), types (mypy), architecture (import-linter)
	bin/check

bench:  ## every benchmark in bench/ (not part of test)
	bin/bench

loadtest:  ## faults under load: 60 s of polls, clicks and 100 callbacks/s against a faulty sandbox, Redis hung for 8 s
	bin/loadtest
