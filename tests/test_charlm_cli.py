"""The command line: train, sample, exact resume, and one-line errors that overwrite nothing."""

import os
import subprocess
import sys

import numpy as np
import pytest

from rnn_core.charlm import main
from rnn_core.data import load_pydoc_corpus

TINY = ["--hidden", "16", "--embed", "8", "--seq-len", "8", "--batch", "4", "--eval-every", "500",
        "--quiet"]


@pytest.fixture(scope="module")
def text_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("text") / "small.txt"
    path.write_text(load_pydoc_corpus()[:20_000], encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, text_file):
    out = str(tmp_path_factory.mktemp("ck") / "model.npz")
    assert main(["train", "--text", text_file, "--out", out, "--steps", "200", *TINY]) == 0
    return out


def last_line(captured):
    return captured.out.strip().splitlines()[-1]


def test_train_prints_valid_bpc_last(capsys, text_file, tmp_path):
    out = str(tmp_path / "m.npz")
    assert main(["train", "--text", text_file, "--out", out, "--steps", "150", *TINY]) == 0
    line = last_line(capsys.readouterr())
    assert line.startswith("valid_bpc=")
    printed = float(line.split("=")[1])
    with np.load(out, allow_pickle=False) as ck:
        assert int(ck["step"]) == 150
        assert ck["params.Wh"].shape == (16, 16)
        assert list(ck["history.valid_steps"])[-1] == 150
        recorded = float(ck["history.valid"][-1]) / np.log(2)
        V = len(ck["vocab"])
    assert round(recorded, 4) == printed  # the last line is the final validation loss, in bits
    assert printed < np.log2(V) - 1  # 150 steps learn the character frequencies at least


def test_module_entry_point_train_and_sample(tmp_path, text_file):
    out = str(tmp_path / "m.npz")
    run = subprocess.run([sys.executable, "-m", "rnn_core.charlm", "train", "--text", text_file,
                          "--out", out, "--steps", "20", *TINY],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1].startswith("valid_bpc=")
    cmd = [sys.executable, "-m", "rnn_core.charlm", "sample", "--checkpoint", out, "--length", "300",
           "--temperature", "0.8", "--seed", "0"]
    a = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    b = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert a.returncode == 0, a.stderr
    assert len(a.stdout) >= 300 and a.stdout == b.stdout  # seeded: the same text twice


def test_sample_seeds_differ(capsys, trained):
    main(["sample", "--checkpoint", trained, "--length", "100", "--seed", "0"])
    a = capsys.readouterr().out
    main(["sample", "--checkpoint", trained, "--length", "100", "--seed", "1"])
    b = capsys.readouterr().out
    assert a != b
    assert len(a) == len(b) == 101  # 100 sampled characters (newlines included) + print's newline
    assert a.endswith("\n") and b.endswith("\n")


def test_validation_characters_must_occur_in_training(capsys, tmp_path, existing_out):
    path = tmp_path / "shifted.txt"
    body = load_pydoc_corpus()[:20_000].replace("§", "")
    path.write_text(body[:19_000] + "§" + body[19_000:], encoding="utf-8")  # "§" only in valid
    assert main(["train", "--text", str(path), "--out", existing_out, "--steps", "5", *TINY]) == 2
    err = capsys.readouterr().err
    assert "validation block" in err and "'§'" in err


def test_vocabulary_comes_from_the_training_block(tmp_path):
    path = tmp_path / "t.txt"
    body = load_pydoc_corpus()[:20_000].replace("§", "")
    full = "§" + body  # "§" occurs in the training block only
    path.write_text(full, encoding="utf-8")
    out = str(tmp_path / "m.npz")
    assert main(["train", "--text", str(path), "--out", out, "--steps", "2", *TINY]) == 0
    n_valid = round(len(full) * 0.1)
    with np.load(out, allow_pickle=False) as ck:
        assert sorted(chr(c) for c in ck["vocab"]) == sorted(set(full[:-n_valid]))
        assert ord("§") in set(ck["vocab"].tolist())


def test_resume_is_exact(tmp_path, text_file):
    """2000 steps in one run == 1000 steps, save, resume for 1000 more (linear decay)."""
    one, half, two = (str(tmp_path / f) for f in ("one.npz", "half.npz", "two.npz"))
    assert main(["train", "--text", text_file, "--out", one, "--steps", "2000", *TINY]) == 0
    assert main(["train", "--text", text_file, "--out", half, "--steps", "1000",
                 "--decay-steps", "2000", *TINY]) == 0
    assert main(["train", "--text", text_file, "--resume", half, "--out", two, "--steps", "2000",
                 "--quiet"]) == 0
    with np.load(one) as a, np.load(two) as b, np.load(half) as h:
        assert int(h["step"]) == 1000 and int(b["step"]) == 2000
        keys = [k for k in a.files if k.startswith(("params.", "optim."))]
        assert len(keys) == 6 + 1 + 12  # 6 params, Adam's t, m and v for each
        for k in keys + ["h", "position", "history.train"]:
            assert np.array_equal(a[k], b[k]), k
        assert not np.array_equal(h["params.Wh"], b["params.Wh"])  # the second half did train


def run_bad(capsys, argv, out):
    """Run a failing command; check status 2, one stderr line, and ``out`` untouched."""
    before = open(out, "rb").read() if os.path.exists(out) else None
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("charlm: error: ")
    after = open(out, "rb").read() if os.path.exists(out) else None
    assert before == after
    return err


@pytest.fixture
def existing_out(tmp_path, trained):
    out = tmp_path / "keep.npz"
    out.write_bytes(open(trained, "rb").read())
    return str(out)


def test_empty_file(capsys, tmp_path, existing_out):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    err = run_bad(capsys, ["train", "--text", str(p), "--out", existing_out], existing_out)
    assert "0 characters" in err


def test_tiny_file(capsys, tmp_path, existing_out):
    p = tmp_path / "tiny.txt"
    p.write_text("hello, world\n")
    err = run_bad(capsys, ["train", "--text", str(p), "--out", existing_out], existing_out)
    assert "13 characters" in err and "need at least" in err


def test_not_utf8(capsys, tmp_path, existing_out):
    p = tmp_path / "latin1.txt"
    p.write_bytes("caf\u00e9 cr\u00e8me ".encode("latin-1") * 500)
    err = run_bad(capsys, ["train", "--text", str(p), "--out", existing_out], existing_out)
    assert "not UTF-8" in err


def test_missing_text(capsys, tmp_path, existing_out):
    err = run_bad(capsys, ["train", "--text", str(tmp_path / "nope.txt"), "--out", existing_out],
                  existing_out)
    assert "does not exist" in err


def test_missing_checkpoint(capsys, tmp_path, existing_out):
    err = run_bad(capsys, ["sample", "--checkpoint", str(tmp_path / "nope.npz")], existing_out)
    assert "does not exist" in err
    err = run_bad(capsys, ["train", "--resume", str(tmp_path / "nope.npz"), "--out", existing_out,
                           "--steps", "10"], existing_out)
    assert "does not exist" in err


def test_corrupt_checkpoint(capsys, tmp_path, existing_out, trained, text_file):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    err = run_bad(capsys, ["sample", "--checkpoint", str(junk)], existing_out)
    assert "not a valid .npz" in err
    truncated = tmp_path / "trunc.npz"
    truncated.write_bytes(open(trained, "rb").read()[:500])
    err = run_bad(capsys, ["train", "--text", text_file, "--resume", str(truncated),
                           "--out", existing_out, "--steps", "300"], existing_out)
    assert "not a valid .npz" in err
    other = tmp_path / "other.npz"
    np.savez(other, a=np.zeros(3))
    err = run_bad(capsys, ["sample", "--checkpoint", str(other)], existing_out)
    assert "lacks" in err


def test_checkpoint_from_another_vocabulary(capsys, tmp_path, trained, existing_out):
    p = tmp_path / "digits.txt"
    p.write_text("0123456789 " * 2000)
    err = run_bad(capsys, ["train", "--text", str(p), "--resume", trained, "--out", existing_out,
                           "--steps", "300"], existing_out)
    assert "vocabulary" in err


@pytest.mark.parametrize("flag, value, word", [
    ("--steps", "-5", "--steps"), ("--hidden", "0", "--hidden"), ("--seq-len", "0", "--seq-len"),
    ("--batch", "-1", "--batch"), ("--lr", "0", "--lr"), ("--lr", "nan", "--lr"),
    ("--hidden", "many", "--hidden"), ("--steps", "0", "--steps"),
])
def test_nonsense_hyperparameters(capsys, flag, value, word, text_file, existing_out):
    err = run_bad(capsys, ["train", "--text", text_file, "--out", existing_out, flag, value],
                  existing_out)
    assert word in err


def test_resume_cannot_change_the_model(capsys, trained, text_file, existing_out):
    err = run_bad(capsys, ["train", "--text", text_file, "--resume", trained, "--out",
                           existing_out, "--steps", "300", "--hidden", "32"], existing_out)
    assert "conflicts" in err


def test_resume_beyond_the_decay_horizon(capsys, trained, text_file, existing_out):
    err = run_bad(capsys, ["train", "--text", text_file, "--resume", trained, "--out",
                           existing_out, "--steps", "400"], existing_out)
    assert "decay" in err


def test_bad_sampling_arguments(capsys, trained, existing_out):
    err = run_bad(capsys, ["sample", "--checkpoint", trained, "--temperature", "0"], existing_out)
    assert "--temperature" in err
    err = run_bad(capsys, ["sample", "--checkpoint", trained, "--length", "-3"], existing_out)
    assert "--length" in err


def test_checkpoint_write_is_atomic_and_pickle_free(tmp_path):
    from rnn_core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

    path = tmp_path / "ck.npz"
    save_checkpoint(path, {"a": np.arange(3)})
    before = path.read_bytes()
    # a failing write (an object array needs pickle) leaves the old file and no temporary file
    with pytest.raises(CheckpointError, match="object"):
        save_checkpoint(path, {"a": np.arange(3), "b": np.array([{"x": 1}], dtype=object)})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.npz"]
    assert np.array_equal(load_checkpoint(path)["a"], np.arange(3))
    # a file holding a pickled object array is refused, not unpickled
    evil = tmp_path / "evil.npz"
    np.savez(evil, b=np.array([{"x": 1}], dtype=object))
    with pytest.raises(CheckpointError, match="not a valid"):
        load_checkpoint(evil)


def test_defaults_are_read_only():
    from rnn_core.charlm import DEFAULTS

    with pytest.raises(TypeError):
        DEFAULTS["steps"] = 1
    assert DEFAULTS["steps"] == 2000
