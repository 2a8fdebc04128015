import pytest

from tests.live.streams import StreamReader


@pytest.fixture
def streams():
    """Opens live streams as browsers would (tests/live/streams.py) and closes them after the test."""
    opened = []

    def open_stream(*args, **kwargs) -> StreamReader:
        reader = StreamReader(*args, **kwargs)
        opened.append(reader)
        return reader

    yield open_stream
    for reader in opened:
        reader.close()
