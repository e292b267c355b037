"""Checkpoints: a flat dict of arrays in one ``.npz`` file, written atomically.

The file is written to a temporary file in the same directory and moved into place
with ``os.replace``, so a crash (or a full disk) never leaves a half-written
checkpoint where a good one was. It is read with ``allow_pickle=False``: a
checkpoint holds only arrays, never code.
"""

from __future__ import annotations

import os
import tempfile
import zipfile

import numpy as np


class CheckpointError(ValueError):
    """A checkpoint is missing, unreadable, or does not fit the run."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_checkpoint(path, arrays: dict) -> None:
    """Write ``arrays`` to ``path`` atomically.

    Parameters
    ----------
    path : str or path-like, the ``.npz`` file; its directory must exist.
    arrays : dict name -> array (any shapes; no object arrays).

    The file gets the usual permissions of a new file (``0o666 & ~umask``), not the
    0600 of the temporary file it is written to. Returns None.
    """
    path = os.fspath(path)
    for k, v in arrays.items():
        if np.asarray(v).dtype == object:
            raise CheckpointError(f"arrays[{k!r}]: object arrays cannot be saved without pickle")
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_checkpoint(path, required=()) -> dict:
    """Read every array of a checkpoint into memory, without pickle.

    Parameters
    ----------
    path : str or path-like, the ``.npz`` file.
    required : names that must be present.

    Returns
    -------
    arrays : dict name -> array.

    Raises :class:`CheckpointError` with a one-line reason when the file is missing,
    not a valid ``.npz``, or lacks one of the ``required`` keys.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f"checkpoint: file {path!r} does not exist")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"checkpoint: {path!r} is not a valid .npz checkpoint "
                              "(not a zip archive of arrays)")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as err:
        if "pickle" in str(err):
            raise CheckpointError(f"checkpoint: {path!r} holds pickled objects; refusing to "
                                  "load (allow_pickle=False)") from None
        if isinstance(err, zipfile.BadZipFile):
            reason = "not a zip archive of arrays"
        else:
            reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CheckpointError(f"checkpoint: {path!r} is not a valid .npz checkpoint ({reason})") from None
    missing = [k for k in required if k not in arrays]
    if missing:
        raise CheckpointError(
            f"checkpoint: {path!r} lacks {', '.join(missing)}; is it a charlm checkpoint?"
        )
    return arrays
