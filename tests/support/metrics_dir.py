"""A pytest plugin (pyproject's addopts): one metrics directory for the session and the processes it starts.

prometheus_client picks multiprocess mode when it is first imported, which Django's set-up does
before any conftest runs, so the directory is named here, as the product's processes get it from
bin/run or their unit.
"""

import os
import shutil
import tempfile

os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="exoadmin-metrics-")


def pytest_unconfigure(config):
    shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
