.PHONY: run test bench loadtest

run:  ## the whole product with demo data
	bin/run

test:  ## every test
	bin/test

bench:  ## every benchmark in bench/ (not part of test)
	bin/bench

loadtest:  ## faults under load: 60 s of polls, clicks and 100 callbacks/s against a faulty sandbox
	bin/loadtest
