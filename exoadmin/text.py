MAX_DATABASE_ID = 2**63 - 1  # a 64-bit signed column: larger ints make SQLite raise OverflowError


def is_ascii_digits(text: str) -> bool:
    """True for "0".."9" only: str.isdigit() also accepts "²" and "٣", which int() may refuse."""
    return text.isascii() and text.isdigit()


def database_id(text: object) -> int | None:
    """The id a person's input names, or None when it is not one any table can hold."""
    text = str(text)
    if not is_ascii_digits(text) or len(text) > 19:
        return None
    value = int(text)
    return value if value <= MAX_DATABASE_ID else None
