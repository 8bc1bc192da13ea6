"""File storage that never shows a half-written file.

`AtomicFileSystemStorage` writes each file to a hidden temporary name in the same folder and
moves it into place with `os.replace`, which is atomic on POSIX file systems: a reader (or a
build that reuses the file) sees the whole file or no file. A process killed mid-write leaves
only a `.partial-*` file, which nothing references. S3-compatible storages upload whole
objects, so they need nothing of the kind.
"""

from __future__ import annotations

import os
import tempfile

from django.core.files.storage import FileSystemStorage


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        if self.directory_permissions_mode is not None:
            os.chmod(directory, self.directory_permissions_mode)
        descriptor, partial = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                if hasattr(content, "temporary_file_path"):
                    with open(content.temporary_file_path(), "rb") as source:
                        while chunk := source.read(1 << 20):
                            handle.write(chunk)
                else:
                    for chunk in content.chunks():
                        handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(partial, self.file_permissions_mode)
            else:
                os.chmod(partial, 0o644)
            os.replace(partial, full_path)
        except BaseException:
            if os.path.exists(partial):
                os.unlink(partial)
            raise
        return str(name).replace("\\", "/")
