"""The Exotel sandbox: a separate process that speaks Exotel's HTTP contract (see README.md)."""
