"""Checkpoint and restart: a run started with ``--checkpoint-every N`` and killed with SIGKILL after a
checkpoint is continued with ``sahelsim resume RUN.h5``, and the finished run file equals an
uninterrupted run's file, every variable and every attribute (compare_run_files of test_golden.py:
all but the times, build information and thread count). Also: resuming a complete run, another
thread count, the Python API, and bad checkpoints (corrupt, truncated, of another run, missing),
which give a clear error and exit code 2. docs/RELIABILITY.md lists the promise.
"""

import os
import signal
import subprocess
import time

import h5py
import pytest

import sahelsim
from test_golden import compare_run_files

# Epstein on a 200x200 lattice, 400 steps (about 1.5 s), a checkpoint every 50 steps.
EPSTEIN = ["epstein", "--steps", "400", "--seed", "1", "--set", "width=200", "--set", "height=200"]
# The default scenario over its whole period with snapshots; checkpoints every 20 days, the blockade
# starts on day 64.
SAHEL = ["mali-2025", "--seed", "1", "--snapshot-every", "5"]


def _status(path) -> str:
    try:
        f = h5py.File(path, "r")
    except OSError:
        f = h5py.File(path, "r", swmr=True)
    with f:
        status = f.attrs["run_status"]
    return status.decode() if isinstance(status, bytes) else str(status)


def _checkpoint_step(path) -> int:
    try:
        return sahelsim.checkpoint_info(path)["step"]
    except ValueError:  # not written yet
        return -1


def _reference(sahelsim_command, args, directory):
    path = directory / "reference.h5"
    subprocess.run(sahelsim_command + ["run", *args, "--threads", "1", "-o", str(path)], check=True,
                   stdout=subprocess.DEVNULL, timeout=300, cwd=directory)
    return path


def _killed_run(sahelsim_command, args, path, every, kill_after_step):
    """Starts a checkpointed run and SIGKILLs it once its checkpoint reached `kill_after_step`."""
    checkpoint = f"{path}.ckpt"
    process = subprocess.Popen(sahelsim_command + ["run", *args, "--threads", "1", "-o", str(path),
                                                   "--checkpoint-every", str(every)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=path.parent)
    deadline = time.monotonic() + 120
    while _checkpoint_step(checkpoint) < kill_after_step:
        assert process.poll() is None, f"the run ended before its checkpoint reached step {kill_after_step}"
        assert time.monotonic() < deadline, "no checkpoint in time"
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return _checkpoint_step(checkpoint)


def _resume(run_cli, path, *options):
    result = run_cli("resume", str(path), *options, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


@pytest.mark.parametrize("kill_after_step", [50, 200, 350])
def test_epstein_run_killed_after_a_checkpoint_resumes_to_the_uninterrupted_file(
        sahelsim_command, run_cli, tmp_path, kill_after_step):
    reference = _reference(sahelsim_command, EPSTEIN, tmp_path)
    path = tmp_path / "killed.h5"
    step = _killed_run(sahelsim_command, EPSTEIN, path, 50, kill_after_step)
    assert step >= kill_after_step and step % 50 == 0
    assert _status(path) != "complete", "the kill came after the run ended: not a test of resuming"
    with h5py.File(path, "r", swmr=True) as f:
        assert f["step"].shape[0] >= step + 1, "the checkpoint counts records the run file does not hold"
    result = _resume(run_cli, path)
    assert f"at step {step}" in result.stdout
    assert _status(path) == "complete"
    problems = compare_run_files(reference, path)
    assert not problems, "the resumed file differs from the uninterrupted run's:\n" + "\n".join(problems[:20])
    assert not os.path.exists(f"{path}.ckpt"), "a completed run removes its checkpoint"
    assert not os.path.exists(f"{path}.part")


def test_sahel_run_killed_after_a_checkpoint_resumes_to_the_uninterrupted_file(sahelsim_command, run_cli, tmp_path):
    """mali-2025 killed after its day-60 checkpoint (before the blockade of day 64): the resumed file,
    with its snapshots, event log, regional and market series, equals the uninterrupted run's."""
    reference = _reference(sahelsim_command, SAHEL, tmp_path)
    path = tmp_path / "killed.h5"
    step = _killed_run(sahelsim_command, SAHEL, path, 20, 60)
    assert 60 <= step < 184
    assert _status(path) != "complete"
    _resume(run_cli, path)
    problems = compare_run_files(reference, path)
    assert not problems, "the resumed file differs from the uninterrupted run's:\n" + "\n".join(problems[:20])
    with h5py.File(path, "r") as f:
        assert f["step"].shape[0] == 185 and f["event"].shape[0] > 0 and f["snapshot"].shape[0] == 37


def test_resume_with_another_thread_count_gives_the_same_file(sahelsim_command, run_cli, tmp_path):
    reference = _reference(sahelsim_command, EPSTEIN, tmp_path)
    path = tmp_path / "killed.h5"
    _killed_run(sahelsim_command, EPSTEIN, path, 50, 100)
    _resume(run_cli, path, "--threads", "2")
    problems = compare_run_files(reference, path)  # the thread count attribute is not compared
    assert not problems, "\n".join(problems[:20])
    with h5py.File(path, "r") as f:
        assert int(f.attrs["threads"]) == 2


def test_a_complete_run_with_its_checkpoint_kept_is_cut_back_and_redone(tmp_path):
    """The Python API: run with checkpoints kept, resume from the last one (the file was complete), and
    resume a second time from an earlier checkpoint copied aside: the file is the same each time."""
    reference = tmp_path / "reference.h5"
    sahelsim.Model.from_scenario("siege-classroom", seed=2, threads=1).run(output=reference)
    path = tmp_path / "run.h5"
    model = sahelsim.Model.from_scenario("siege-classroom", seed=2, threads=1)
    copies = []

    def copy_checkpoint(done):
        checkpoint = f"{path}.ckpt"
        if os.path.exists(checkpoint) and sahelsim.checkpoint_info(checkpoint)["step"] == 10 and not copies:
            copies.append(tmp_path / "day10.ckpt")
            with open(checkpoint, "rb") as source, open(copies[0], "wb") as target:
                target.write(source.read())

    model.run(output=path, checkpoint_every=5, keep_checkpoint=True, progress=copy_checkpoint)
    days = model.days
    assert sahelsim.checkpoint_info(f"{path}.ckpt")["step"] == (days - 1) // 5 * 5
    resumed = sahelsim.resume(path)
    assert resumed.current_step == days and resumed.last_run["steps_run"] == days - (days - 1) // 5 * 5
    assert compare_run_files(reference, path) == []
    assert copies, "no checkpoint at day 10 was seen"
    again = sahelsim.resume(path, checkpoint=copies[0])
    assert again.last_run["steps_run"] == days - 10
    assert compare_run_files(reference, path) == []
    assert again.summary_json() == model.summary_json()


def test_save_and_load_from_python_continue_identically(tmp_path):
    model = sahelsim.Model("epstein-ethnic", seed=3, threads=2, width=40, height=40, activation="synchronous")
    model.step(7)
    checkpoint = model.save_checkpoint(tmp_path / "m.ckpt")
    other = sahelsim.Model("epstein-ethnic", seed=3, threads=1, width=40, height=40, activation="synchronous")
    info = other.load_checkpoint(checkpoint)
    assert info["step"] == 7 and info["model"] == "epstein-ethnic" and info["run"] is None
    rebuilt = sahelsim.Model.from_checkpoint(checkpoint)
    assert rebuilt.threads == 2 and rebuilt.params == model.params
    for _ in range(5):
        model.step()
        other.step()
        rebuilt.step()
        assert other.state_hash() == model.state_hash() == rebuilt.state_hash()
        assert other.series() == model.series()


def test_a_checkpoint_of_other_parameters_raises_checkpoint_error_naming_the_difference(tmp_path):
    model = sahelsim.Model("epstein", seed=1, width=30, height=30, legitimacy=0.8)
    checkpoint = model.save_checkpoint(tmp_path / "m.ckpt")
    other = sahelsim.Model("epstein", seed=1, width=30, height=30, legitimacy=0.7)
    with pytest.raises(sahelsim.CheckpointError, match=r"parameter 'legitimacy' = 0.8\d* in the checkpoint, 0.7"):
        other.load_checkpoint(checkpoint)
    assert issubclass(sahelsim.CheckpointError, ValueError)
    siege = sahelsim.Model.from_scenario("siege-classroom", threads=1)
    with pytest.raises(sahelsim.CheckpointError, match="of model 'epstein', not 'sahel'"):
        siege.load_checkpoint(checkpoint)


def _checkpointed_epstein(run_cli, path, every=10, steps=40):
    result = run_cli("run", "epstein", "--steps", str(steps), "--set", "width=30", "--set", "height=30",
                     "-o", str(path), "--checkpoint-every", str(every), "--checkpoint", f"{path}.keep")
    assert result.returncode == 0, result.stderr
    return f"{path}.keep"


def test_bad_checkpoints_exit_2_naming_the_file_and_the_problem(run_cli, tmp_path):
    path = tmp_path / "run.h5"
    # A run that completes removes its checkpoint: a copy taken at step 30 stands for a killed run's.
    model = sahelsim.Model("epstein", seed=1, width=30, height=30)
    checkpoint = tmp_path / "run.h5.ckpt"
    saved = tmp_path / "saved.ckpt"

    def keep(done):
        if done == 30:
            with open(checkpoint, "rb") as source, open(saved, "wb") as target:
                target.write(source.read())

    model.run(40, output=path, checkpoint_every=10, progress=keep)
    good = saved.read_bytes()

    def refused(data, *fragments, options=()):
        checkpoint.write_bytes(data)
        result = run_cli("resume", str(path), *options)
        assert result.returncode == 2, (result.returncode, result.stderr)
        assert "Traceback" not in result.stderr
        for fragment in fragments:
            assert fragment in result.stderr, result.stderr
        return result.stderr

    refused(good[: len(good) // 2], str(checkpoint), "truncated")
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0x10
    refused(bytes(flipped), str(checkpoint), "checksum")
    refused(b"", str(checkpoint), "not a sahelsim checkpoint")
    refused(b"GARBAGE" * 10, "not a sahelsim checkpoint")
    # The checkpoint of another run of the same model: its run file's created_utc or records differ.
    other = tmp_path / "other.h5"
    other_model = sahelsim.Model("epstein", seed=2, width=30, height=30)
    other_model.run(40, output=other, checkpoint_every=10, keep_checkpoint=True)
    refused((tmp_path / "other.h5.ckpt").read_bytes(), "cannot resume", "seed")
    # A checkpoint saved from Python (no run file to continue).
    other_model.save_checkpoint(tmp_path / "plain.ckpt")
    refused((tmp_path / "plain.ckpt").read_bytes(), "no run file to continue")
    # The good one still works, and the file the refused attempts left is whole.
    checkpoint.write_bytes(good)
    result = run_cli("resume", str(path))
    assert result.returncode == 0, result.stderr
    assert _status(path) == "complete"


def test_a_directory_given_as_the_checkpoint_is_refused(run_cli, tmp_path):
    (tmp_path / "adir").mkdir()
    with pytest.raises(sahelsim.CheckpointError, match="it is a directory"):
        sahelsim.Model.from_checkpoint(tmp_path / "adir")
    sahelsim.Model("epstein", seed=1, width=20, height=20).run(5, output=tmp_path / "run.h5")
    result = run_cli("resume", "run.h5", "--checkpoint", "adir")
    assert result.returncode == 2, result.stderr
    assert "cannot read checkpoint 'adir': it is a directory" in result.stderr and "Traceback" not in result.stderr
    with pytest.raises(sahelsim.RunFileError, match="it exists and is a directory"):
        sahelsim.Model("epstein", seed=1, width=20, height=20).save_checkpoint(tmp_path / "adir")


def test_resume_with_its_summary_over_the_run_file_exits_2_and_keeps_it(run_cli, tmp_path):
    (tmp_path / "run.h5").write_bytes(b"the run file")
    (tmp_path / "run.h5.ckpt").write_bytes(b"its checkpoint")
    result = run_cli("resume", "run.h5", "--summary-json", "./run.h5")
    assert result.returncode == 2, result.stderr
    assert "--summary-json './run.h5' is the same file as RUN.h5 'run.h5'" in result.stderr
    assert (tmp_path / "run.h5").read_bytes() == b"the run file"


def test_resume_without_a_checkpoint(run_cli, tmp_path):
    path = tmp_path / "run.h5"
    result = run_cli("run", "epstein", "--steps", "20", "--set", "width=30", "--set", "height=30", "-o", str(path),
                     "--checkpoint-every", "5")
    assert result.returncode == 0, result.stderr
    assert not os.path.exists(f"{path}.ckpt")
    complete = run_cli("resume", str(path))
    assert complete.returncode == 0 and "nothing to resume" in complete.stdout
    missing = run_cli("resume", str(tmp_path / "missing.h5"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    named = run_cli("resume", str(path), "--checkpoint", str(tmp_path / "nope.ckpt"))
    assert named.returncode == 2 and "no checkpoint" in named.stderr and "Traceback" not in named.stderr
    bad = run_cli("run", "epstein", "--steps", "5", "--checkpoint-every", "-1", "-o", str(path))
    assert bad.returncode == 2 and "--checkpoint-every -1" in bad.stderr


def test_resume_of_an_incomplete_run_without_its_default_checkpoint_mentions_a_named_one(run_cli, tmp_path):
    # A run started with --checkpoint FILE is resumed with the same option; without it, resume looks
    # for RUN.h5.ckpt, and its message said only that the run had no checkpoints.
    import h5py

    path = tmp_path / "run.h5"
    assert run_cli("run", "epstein", "--steps", "5", "-o", str(path)).returncode == 0
    with h5py.File(path, "r+") as f:
        f.attrs["run_status"] = "incomplete"
    result = run_cli("resume", str(path))
    assert result.returncode == 2, result.stderr
    assert "or its checkpoint has another name (--checkpoint FILE at the start: give the same --checkpoint " \
           "FILE to resume)" in result.stderr


def test_ctrl_c_during_resume_exits_130_and_a_second_resume_completes_the_same_file(
        sahelsim_command, run_cli, tmp_path):
    """SIGINT while `sahelsim resume` runs: exit 130 and the file marked incomplete, as for `run`;
    the checkpoint the resumed run wrote meanwhile is kept, and resuming again finishes the file
    equal to the uninterrupted run's."""
    reference = _reference(sahelsim_command, EPSTEIN, tmp_path)
    path = tmp_path / "killed.h5"
    checkpoint = f"{path}.ckpt"
    assert _killed_run(sahelsim_command, EPSTEIN, path, 50, 50) < 400
    process = subprocess.Popen(sahelsim_command + ["resume", str(path)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    deadline = time.monotonic() + 120
    while _checkpoint_step(checkpoint) < 200:  # the resumed run has written checkpoints of its own
        assert process.poll() is None, "the resumed run ended before its checkpoint of step 200"
        assert time.monotonic() < deadline, "no checkpoint of step 200 in time"
        time.sleep(0.002)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err, err
    assert _status(path) == "incomplete"
    interrupted_at = _checkpoint_step(checkpoint)
    assert 200 <= interrupted_at < 400
    result = _resume(run_cli, path)
    assert f"at step {interrupted_at}" in result.stdout
    problems = compare_run_files(reference, path)
    assert not problems, "the twice-resumed file differs from the uninterrupted run's:\n" + "\n".join(problems[:20])
    assert not os.path.exists(checkpoint)
