"""logjam's Python driver: runs a logjam scenario against a Python logging adapter and reports
to the run's Node child over a pipe. Standard library only, Python 3.9+.

See contract.py for the adapter contract, driver.py for the load, locks.py for what the
watchdog sees, and __main__.py for the command line the Node bridge uses.
"""

from .record import encode_record, record_hash  # noqa: F401

__all__ = ["encode_record", "record_hash"]
