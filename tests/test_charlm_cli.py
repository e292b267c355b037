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
        assert str(ck["config.cell"]) == "gru"  # the default cell
        assert ck["params.Wh"].shape == (3 * 16, 16)
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


# Smaller than TINY and with validation every 30 steps, so that a resume has to carry the
# history, the position, the optimiser state and the hidden state exactly.
SMALL = ["--hidden", "8", "--embed", "4", "--seq-len", "8", "--batch", "4", "--eval-every", "30",
         "--quiet"]


def test_resume_is_exact(tmp_path, text_file):
    """200 steps in one run == 100 steps, save, resume for 100 more (linear decay)."""
    one, half, two = (str(tmp_path / f) for f in ("one.npz", "half.npz", "two.npz"))
    assert main(["train", "--text", text_file, "--out", one, "--steps", "200", *SMALL]) == 0
    assert main(["train", "--text", text_file, "--out", half, "--steps", "100",
                 "--decay-steps", "200", *SMALL]) == 0
    assert main(["train", "--text", text_file, "--resume", half, "--out", two, "--steps", "200",
                 "--quiet"]) == 0
    with np.load(one) as a, np.load(two) as b, np.load(half) as h:
        assert int(h["step"]) == 100 and int(b["step"]) == 200
        keys = [k for k in a.files if k.startswith(("params.", "optim."))]
        assert len(keys) == 7 + 1 + 14  # the GRU's 7 params, Adam's t, m and v for each
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
    with pytest.raises(CheckpointError, match=r"holds pickled objects; refusing to load "
                                              r"\(allow_pickle=False\)"):
        load_checkpoint(evil)


def test_defaults_are_read_only():
    from rnn_core.charlm import DEFAULT_STEPS, DEFAULTS

    with pytest.raises(TypeError):
        DEFAULTS["hidden"] = 1
    with pytest.raises(TypeError):
        DEFAULT_STEPS["rnn"] = 1
    assert DEFAULTS["hidden"] == 256 and DEFAULT_STEPS["rnn"] == 2000


def test_default_steps_depend_on_the_cell(monkeypatch, tmp_path, text_file):
    """Without --steps, each cell trains for its DEFAULT_STEPS (about the same CPU time)."""
    import rnn_core.charlm as charlm

    seen = {}

    def record(model, optimizer, batcher, valid_ids, config, state, progress):
        seen[model.cell] = config.steps, config.horizon
        raise KeyboardInterrupt  # stop before any step: nothing to train for this test

    monkeypatch.setattr(charlm, "train", record)
    for cell in (None, "rnn", "lstm"):
        flag = [] if cell is None else ["--cell", cell]
        main(["train", "--text", text_file, "--out", str(tmp_path / "m.npz"), *flag, *TINY])
    assert seen == {"gru": (850, 850), "rnn": (2000, 2000), "lstm": (600, 600)}


def test_ctrl_c_saves_the_last_step_and_resumes_exactly(capsys, monkeypatch, tmp_path, text_file):
    import rnn_core.charlm as charlm

    real_train = charlm.train

    def interrupted_train(*args, **kwargs):
        def on_step(step, model):
            if step == 37:
                raise KeyboardInterrupt  # what Ctrl-C raises in the main thread
        return real_train(*args, on_step=on_step, **kwargs)

    one, cut, two = (str(tmp_path / f) for f in ("one.npz", "cut.npz", "two.npz"))
    assert main(["train", "--text", text_file, "--out", one, "--steps", "60", *SMALL]) == 0
    capsys.readouterr()
    monkeypatch.setattr(charlm, "train", interrupted_train)
    assert main(["train", "--text", text_file, "--out", cut, "--steps", "60", *SMALL]) == 130
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"--resume {cut}" in err and "--steps 60" in err and f"--text {text_file}" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.npz", "one.npz"]  # no temp file
    with np.load(cut) as ck:
        assert int(ck["step"]) == 37 and int(ck["optim.t"]) == 37
    monkeypatch.setattr(charlm, "train", real_train)
    assert main(["train", "--text", text_file, "--resume", cut, "--out", two, "--steps", "60",
                 "--quiet"]) == 0
    with np.load(one) as a, np.load(two) as b:
        for k in [k for k in a.files if k.startswith(("params.", "optim."))] + ["h", "history.train"]:
            assert np.array_equal(a[k], b[k]), k


def test_sigint_in_a_subprocess_saves_a_checkpoint(tmp_path, text_file):
    import signal
    import threading

    out = tmp_path / "int.npz"
    loud = [a for a in TINY if a != "--quiet"]  # the progress bar tells when training runs
    proc = subprocess.Popen([sys.executable, "-m", "rnn_core.charlm", "train", "--text", text_file,
                             "--out", str(out), "--steps", "1000000", *loud],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err, started = [], threading.Event()

    def read():
        for chunk in iter(lambda: proc.stderr.read(1), ""):
            err.append(chunk)
            if "step" in "".join(err[-40:]):
                started.set()
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(120), "".join(err)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(10)
    err = "".join(err)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "resume with:" in err
    with np.load(out) as ck:
        assert int(ck["optim.t"]) == int(ck["step"])


@pytest.mark.parametrize("case", ["directory", "missing_parent", "parent_is_a_file"])
def test_bad_out_is_refused_before_training(capsys, monkeypatch, tmp_path, text_file, case):
    import rnn_core.charlm as charlm

    monkeypatch.setattr(charlm, "train", lambda *a, **k: pytest.fail("trained despite a bad --out"))
    (tmp_path / "afile").write_text("x")
    out = {"directory": str(tmp_path), "missing_parent": str(tmp_path / "no" / "m.npz"),
           "parent_is_a_file": str(tmp_path / "afile" / "m.npz")}[case]
    err = run_bad(capsys, ["train", "--text", text_file, "--out", out, "--steps", "5", *TINY],
                  str(tmp_path / "afile"))
    assert err.startswith("charlm: error: --out:") and ".tmp" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_unwritable_out_directory(capsys, tmp_path, text_file):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        err = run_bad(capsys, ["train", "--text", text_file, "--out", str(d / "m.npz"),
                               "--steps", "5", *TINY], str(d / "m.npz"))
        assert "--out:" in err and "not writable" in err
    finally:
        d.chmod(0o700)


def test_a_run_without_decay_steps_can_be_extended(capsys, tmp_path, text_file):
    first, more, same = (str(tmp_path / f) for f in ("first.npz", "more.npz", "same.npz"))
    assert main(["train", "--text", text_file, "--out", first, "--steps", "30", *SMALL]) == 0
    capsys.readouterr()
    err = run_bad(capsys, ["train", "--text", text_file, "--resume", first, "--out", more,
                           "--steps", "50", "--quiet"], more)
    assert "add --decay-steps 50 (or more)" in err  # says exactly what to do
    err = run_bad(capsys, ["train", "--text", text_file, "--resume", first, "--out", more,
                           "--steps", "50", "--decay-steps", "40", "--quiet"], more)
    assert "--decay-steps: 40 is below --steps 50" in err
    assert main(["train", "--text", text_file, "--resume", first, "--out", more, "--steps", "50",
                 "--decay-steps", "80", "--quiet"]) == 0
    with np.load(more) as ck:
        assert int(ck["step"]) == 50 and int(ck["config.decay_steps"]) == 80
    # the stored horizon, given again, is no conflict and keeps the resume exact
    assert main(["train", "--text", text_file, "--resume", first, "--out", same, "--steps", "30",
                 "--decay-steps", "30", "--quiet"]) == 0
    with np.load(first) as a, np.load(same) as b:
        assert np.array_equal(a["params.Wh"], b["params.Wh"])


def test_train_help_documents_the_resume_rule(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--decay-steps D with D >= --steps on resume" in out and "130" in out


@pytest.mark.parametrize("command", ["train", "sample"])
def test_every_option_has_a_description_and_its_default(command):
    from rnn_core.charlm import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command").choices[command]
    for action in sub._actions:
        if action.dest == "help":
            continue
        assert action.help and len(action.help) > 10, action.dest
        assert "default" in action.help, action.dest


@pytest.mark.parametrize("value", ["-5", "0"])
def test_steps_messages_agree(capsys, text_file, existing_out, value):
    err = run_bad(capsys, ["train", "--text", text_file, "--out", existing_out, "--steps", value],
                  existing_out)
    assert f"--steps: expected an integer >= 1, got {value}" in err


def test_empty_file_states_the_real_minimum(capsys, tmp_path, existing_out):
    from rnn_core.data import split_ids

    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    err = run_bad(capsys, ["train", "--text", str(p), "--out", existing_out, "--batch", "4",
                           "--seq-len", "8"], existing_out)
    assert "0 characters" in err and "need at least 40" in err and err.startswith("charlm: error: --text:")
    # 40 is the real minimum: 39 characters leave too few to train on
    assert len(split_ids(np.arange(40), 0.1)[0]) >= 4 * 9 > len(split_ids(np.arange(39), 0.1)[0])


def test_vocabulary_mismatch_shows_new_and_missing_characters(capsys, tmp_path, trained,
                                                                 existing_out):
    p = tmp_path / "digits.txt"
    p.write_text("0123456789 " * 2000)
    err = run_bad(capsys, ["train", "--text", str(p), "--resume", trained, "--out", existing_out,
                           "--steps", "200"], existing_out)
    assert "character(s) the checkpoint lacks" not in err  # digits and space occur in both
    assert "75 of the checkpoint's characters are missing from the text, e.g. ['\\n', " in err
    assert "trained on" in err and "small.txt" in err


def test_resume_without_text_names_the_training_text(capsys, trained, existing_out):
    err = run_bad(capsys, ["train", "--resume", trained, "--out", existing_out, "--steps", "200"],
                  existing_out)
    assert "small.txt" in err and "--text" in err


def test_error_prefixes_are_the_flags(capsys, tmp_path, existing_out):
    err = run_bad(capsys, ["train", "--text", str(tmp_path / "nope.txt"), "--out", existing_out],
                  existing_out)
    assert err.startswith("charlm: error: --text: ")
    err = run_bad(capsys, ["sample", "--checkpoint", str(tmp_path / "nope.npz")], existing_out)
    assert err.startswith("charlm: error: --checkpoint: ")


def test_checkpoint_permissions_follow_the_umask(tmp_path):
    from rnn_core.checkpoint import save_checkpoint

    old = os.umask(0o027)
    try:
        save_checkpoint(tmp_path / "ck.npz", {"a": np.arange(3)})
    finally:
        os.umask(old)
    assert (tmp_path / "ck.npz").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["sample", "--help"]])
def test_help_is_plain_text(capsys, argv):
    with pytest.raises(SystemExit):
        main(argv)
    out = capsys.readouterr().out
    assert "``" not in out and ":func:" not in out and "usage:" in out


def test_importing_rnn_core_loads_neither_tqdm_nor_matplotlib():
    import subprocess
    import sys

    code = ("import rnn_core, rnn_core.charlm, rnn_core.training, sys; "
            "print([m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'tqdm')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- --cell: the LSTM and the GRU from the command line --------------------------------

@pytest.mark.parametrize("cell, n_params", [("rnn", 6), ("lstm", 6), ("gru", 7)])
def test_resume_is_exact_for_every_cell(tmp_path, text_file, cell, n_params):
    """200 steps in one run == 100 steps, save, resume for 100 more, for each cell."""
    one, half, two = (str(tmp_path / f) for f in ("one.npz", "half.npz", "two.npz"))
    cell_flag = ["--cell", cell]
    assert main(["train", "--text", text_file, "--out", one, "--steps", "200", *cell_flag,
                 *SMALL]) == 0
    assert main(["train", "--text", text_file, "--out", half, "--steps", "100",
                 "--decay-steps", "200", *cell_flag, *SMALL]) == 0
    assert main(["train", "--text", text_file, "--resume", half, "--out", two, "--steps", "200",
                 "--quiet"]) == 0  # the cell comes from the checkpoint
    carried = ["h", "c"] if cell == "lstm" else ["h"]
    with np.load(one) as a, np.load(two) as b, np.load(half) as h:
        assert str(a["config.cell"]) == str(b["config.cell"]) == cell
        assert ("c" in a.files) == (cell == "lstm")
        keys = [k for k in a.files if k.startswith(("params.", "optim."))]
        assert len(keys) == n_params + 1 + 2 * n_params  # the params, Adam's t, m and v
        for k in keys + carried + ["position", "history.train"]:
            assert np.array_equal(a[k], b[k]), k
        assert not np.array_equal(h["params.Wh"], b["params.Wh"])  # the second half did train
        Dh = 8
        gates = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
        assert b["params.Wh"].shape == (gates * Dh, Dh)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_learn_and_sample(capsys, tmp_path, text_file, cell):
    out = str(tmp_path / f"{cell}.npz")
    assert main(["train", "--text", text_file, "--out", out, "--steps", "150", "--cell", cell,
                 *TINY]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert f"cell {cell}" in lines[-2]
    with np.load(out, allow_pickle=False) as ck:
        V = len(ck["vocab"])
    assert float(lines[-1].split("=")[1]) < np.log2(V) - 1
    main(["sample", "--checkpoint", out, "--length", "100", "--seed", "0"])
    a = capsys.readouterr().out
    main(["sample", "--checkpoint", out, "--length", "100", "--seed", "0", "--prompt", "the"])
    b = capsys.readouterr().out
    assert len(a) == 101 and b.startswith("the") and len(b) == 104


def test_bad_cell_exits_2_and_overwrites_nothing(capsys, text_file, existing_out):
    err = run_bad(capsys, ["train", "--text", text_file, "--out", existing_out, "--cell", "lsmt",
                           "--steps", "5"], existing_out)
    assert "--cell" in err and "'lsmt'" in err and "'lstm'" in err


def test_resume_cannot_change_the_cell(capsys, trained, text_file, existing_out):
    err = run_bad(capsys, ["train", "--text", text_file, "--resume", trained, "--out",
                           existing_out, "--steps", "300", "--cell", "rnn"], existing_out)
    assert "--cell: rnn conflicts with the checkpoint's gru" in err


def without(path, tmp_path, drop, name="old.npz", **replace):
    """A copy of a checkpoint without the keys ``drop`` (and with ``replace``d entries)."""
    with np.load(path, allow_pickle=False) as ck:
        arrays = {k: ck[k] for k in ck.files if k not in drop}
    arrays.update(replace)
    out = tmp_path / name
    np.savez(out, **arrays)
    return str(out)


def test_a_checkpoint_without_a_cell_is_an_rnn(capsys, tmp_path, text_file):
    """Checkpoints written before --cell existed sample and resume as the tanh RNN."""
    trained = str(tmp_path / "rnn.npz")
    assert main(["train", "--text", text_file, "--out", trained, "--steps", "200", "--cell", "rnn",
                 *TINY]) == 0
    capsys.readouterr()
    old = without(trained, tmp_path, {"config.cell"})
    assert main(["sample", "--checkpoint", old, "--length", "50", "--seed", "3"]) == 0
    a = capsys.readouterr().out
    assert main(["sample", "--checkpoint", trained, "--length", "50", "--seed", "3"]) == 0
    assert a == capsys.readouterr().out and len(a) == 51
    resumed, again = str(tmp_path / "resumed.npz"), str(tmp_path / "again.npz")
    assert main(["train", "--text", text_file, "--resume", old, "--out", resumed, "--steps", "210",
                 "--decay-steps", "210", "--quiet"]) == 0
    assert main(["train", "--text", text_file, "--resume", trained, "--out", again, "--steps",
                 "210", "--decay-steps", "210", "--quiet"]) == 0
    with np.load(resumed) as r, np.load(again) as s:
        assert str(r["config.cell"]) == "rnn"
        assert np.array_equal(r["params.Wh"], s["params.Wh"])


def test_checkpoint_with_an_unknown_or_inconsistent_cell(capsys, tmp_path, trained, text_file,
                                                         existing_out):
    odd = without(trained, tmp_path, set(), "odd.npz", **{"config.cell": np.array("tree")})
    err = run_bad(capsys, ["sample", "--checkpoint", odd], existing_out)
    assert "unknown cell 'tree'" in err
    # a GRU's parameters labelled lstm do not load
    wrong = without(trained, tmp_path, set(), "wrong.npz", **{"config.cell": np.array("lstm")})
    err = run_bad(capsys, ["sample", "--checkpoint", wrong], existing_out)
    assert "inconsistent contents" in err
    err = run_bad(capsys, ["train", "--text", text_file, "--resume", wrong, "--out", existing_out,
                           "--steps", "300"], existing_out)
    assert "--resume" in err


def test_lstm_checkpoint_without_its_cell_state_is_refused(capsys, tmp_path, text_file,
                                                          existing_out):
    lstm = str(tmp_path / "lstm.npz")
    assert main(["train", "--text", text_file, "--out", lstm, "--steps", "10", "--decay-steps",
                 "20", "--cell", "lstm", *TINY]) == 0
    no_c = without(lstm, tmp_path, {"c"}, "no_c.npz")
    err = run_bad(capsys, ["train", "--text", text_file, "--resume", no_c, "--out", existing_out,
                           "--steps", "20"], existing_out)
    assert "lacks its carried state c" in err
