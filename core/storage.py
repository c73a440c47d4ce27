"""Where private files are kept: letters, signed consent forms, dashboard exports, and any kind added later.

Each kind is one alias in settings.STORAGES, built by `vig_service.settings.private_files(prefix)`: a folder under
PRIVATE_FILES_ROOT by default (`make run`, one machine), or a prefix in one private S3-compatible bucket when
OBJECT_STORAGE_BUCKET is set (several web and worker machines share it; ADR 0015). Either way a private file has no
URL: the only way out is an access-checked, logged download view, which reads the file through the storage and
sends its bytes (never a redirect to the bucket).
"""

from functools import cache

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty

NO_URL = "Private files have no URL: they are served only by access-checked, logged views."


class PrivateFolderStorage(FileSystemStorage):
    """A folder under `settings.PRIVATE_FILES_ROOT`, read at each use (a test that moves the root moves it), with no
    URL. A file saved under a name already taken replaces it: names are derived from the row, so a retry rewrites
    the same file instead of adding a second."""

    def __init__(self, subfolder: str = "", **kwargs):
        self.subfolder = subfolder
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return settings.PRIVATE_FILES_ROOT / self.subfolder if self.subfolder else settings.PRIVATE_FILES_ROOT

    @property
    def location(self):
        return str(self.base_location)

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError(NO_URL)


@cache
def _object_storage_class():
    from storages.backends.s3 import S3Storage

    class PrivateObjectStorage(S3Storage):
        """A prefix in the private bucket: every object written private, no URL (not even a presigned one)."""

        def __init__(self, **options):
            from botocore.config import Config

            options["default_acl"] = "private"
            options["file_overwrite"] = True
            options.setdefault(
                "client_config",
                Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"}),
            )
            super().__init__(**options)

        def url(self, name, parameters=None, expire=None, http_method=None):
            raise ValueError(NO_URL)

    return PrivateObjectStorage


def __getattr__(name):
    # settings.STORAGES names "core.storage.PrivateObjectStorage"; boto is imported only when it is used.
    if name == "PrivateObjectStorage":
        return _object_storage_class()
    raise AttributeError(name)


class AliasStorage(LazyObject):
    """One STORAGES alias, looked up when first used and again after a test changes STORAGES."""

    def __init__(self, alias: str):
        self.__dict__["alias"] = alias
        super().__init__()

    def _setup(self):
        self._wrapped = storages[self.__dict__["alias"]]


_by_alias: dict[str, AliasStorage] = {}


def storage_for(alias: str) -> AliasStorage:
    """The one lazy storage of `alias` (what a FileField's `storage=` callable returns)."""
    if alias not in _by_alias:
        _by_alias[alias] = AliasStorage(alias)
    return _by_alias[alias]


@receiver(setting_changed)
def _forget_storages(*, setting, **kwargs):
    if setting == "STORAGES":
        for lazy in _by_alias.values():
            lazy._wrapped = empty
    if setting in {"STORAGES", "OBJECT_STORAGE_OPTIONS"}:
        _health_client.cache_clear()


def object_storage_configured() -> bool:
    """True when private files go to the bucket (OBJECT_STORAGE_BUCKET is set)."""
    return bool(getattr(settings, "OBJECT_STORAGE_OPTIONS", None))


@cache
def _health_client():
    import boto3
    from botocore.config import Config

    options = settings.OBJECT_STORAGE_OPTIONS
    return boto3.session.Session().client(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        region_name=options.get("region_name"),
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
        config=Config(
            connect_timeout=1,
            read_timeout=2,
            retries={"max_attempts": 1},
            s3={"addressing_style": options.get("addressing_style") or "auto"},
            signature_version=options.get("signature_version") or None,
        ),
    )


def object_storage_state() -> str:
    """'local' (a folder on this machine), 'ok' (the bucket answers) or 'down'. Never says why: the reason is the
    operator's to find in the logs, not the caller's."""
    if not object_storage_configured():
        return "local"
    try:
        _health_client().head_bucket(Bucket=settings.OBJECT_STORAGE_OPTIONS["bucket_name"])
    except Exception:  # noqa: BLE001 - any failure (refused, missing bucket, wrong keys) means "down"
        return "down"
    return "ok"
