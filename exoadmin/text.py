def is_ascii_digits(text: str) -> bool:
    """True for "0".."9" only: str.isdigit() also accepts "²" and "٣", which int() may refuse."""
    return text.isascii() and text.isdigit()
