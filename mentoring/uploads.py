"""Uploads are cut short early: the only files the app takes are mentors' photos (at most
5 MB, profiles.photos), so no upload is kept in memory or on disk beyond
settings.FILE_UPLOAD_MAX_BYTES. A longer file is passed on one byte over the limit, and the
form says it is too big. (The request body is still read: a proxy in front, e.g. nginx's
client_max_body_size, refuses it before it arrives.)"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class SizeCappedUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: the handlers after it receive a file's first
    FILE_UPLOAD_MAX_BYTES + 1 bytes only; the rest is dropped as it arrives."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = settings.FILE_UPLOAD_MAX_BYTES + 1 - self.received
        self.received += len(raw_data)
        if room <= 0:
            return None  # dropped: the handlers after this one never see it
        return raw_data[:room]

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file
