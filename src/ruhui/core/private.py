"""Files that only this system's account may read, whatever the process umask.

Job files (uploaded rosters, result workbooks, exports) hold full ID and phone numbers. Their
folder is made 0700 and each file is created empty at 0600 before any writer opens it: Python,
xlsxwriter and zipfile open an existing file for writing without changing its mode, so whatever
library writes the content, the file never exists with wider permissions.
"""

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path | str) -> Path:
    """The folder (created with its parents if missing), set to 0700."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask; chmod is not
    return path


def private_file(path: Path | str) -> Path:
    """An empty file at `path` readable and writable by this account only (0600); an existing
    file is emptied and its mode narrowed."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path
