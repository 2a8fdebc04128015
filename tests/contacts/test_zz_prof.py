import cProfile, pstats
import pytest
from tests.contacts.conftest import checked_upload

def test_prof(exotel_account, member):
    rows = [[f"sid-{i}", "vip"] for i in range(10001)]
    pr = cProfile.Profile(); pr.enable()
    checked_upload(exotel_account, member.user, ["sid", "tag"], rows)
    pr.disable(); pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
