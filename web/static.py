"""Static files' addresses, each worked out once per process (issue 20).

`{% static %}` asks the storage for a file's address, and whitenoise's manifest storage works it out afresh every
time: the file's hashed name from the manifest, its path quoted, joined to STATIC_URL, a query or fragment kept.
Every page asks nine times. The manifest is read once when the process starts and does not change under it, so
the same name always gets the same address: `StaticFiles` remembers each one it has given.
"""

import threading

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFiles(CompressedManifestStaticFilesStorage):
    """Whitenoise's compressed, hashed static files, each address remembered once made."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}
        self._lock = threading.Lock()

    def url(self, name, force=False):
        """The file's address, as whitenoise makes it; made once per name (a name not in the manifest still
        raises, every time)."""
        if force:
            return super().url(name, force=True)
        address = self._addresses.get(name)
        if address is None:
            address = super().url(name)
            with self._lock:
                self._addresses[name] = address
        return address
