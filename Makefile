.PHONY: run test bench

run:  ## the whole product with demo data
	bin/run

test:  ## every test
	bin/test

bench:  ## every benchmark in bench/ (not part of test)
	bin/bench
