"""The harness pieces `make test` overlaps (docs/harness.md, "`make test`"): which integration
files wait for the images, and Molecule starting each scenario once its own images are ready."""
import os
import stat
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from conftest import REPO, needs_images  # noqa: E402

INTEGRATION = os.path.join(REPO, "tests", "integration")


def test_container_tests_wait_for_the_images_and_host_tests_do_not():
    for name in ("test_openrc_real.py", "test_lynis_oracle.py", "test_schedule.py", "test_cron_oracle.py",
                 "test_container_connection.py", "test_persistence_systemd.py"):
        assert needs_images(os.path.join(INTEGRATION, name)), name
    for name in ("test_redis_real.py", "test_oom_kill_real.py", "test_audit_playbook.py", "test_changelog.py"):
        assert not needs_images(os.path.join(INTEGRATION, name)), name


def test_a_file_is_marked_by_what_it_uses_to_reach_a_container(tmp_path):
    uses = {
        "image.py": 'IMAGE = "localhost/hostguard-trixie:1"\n',
        "helper.py": "from container_connection import ssh_inventory\n",
        "fixture.py": "def test_x(container_ssh_key):\n    pass\n",
        "oracle.py": "import cron_oracle_cases\n",
        "cli.py": 'subprocess.run(["podman", "ps"])\n',
    }
    for name, text in uses.items():
        (tmp_path / name).write_text(text)
        assert needs_images(tmp_path / name), name
    (tmp_path / "host.py").write_text('subprocess.run(["redis-server", "--port", "0"])  # hostguard-redis\n')
    assert not needs_images(tmp_path / "host.py")


def _fake_molecule(tmp_path):
    """A stand-in for molecule that records when each scenario ran and passes."""
    fake = tmp_path / "molecule"
    fake.write_text('#!/bin/sh\n[ "$1" = test ] && echo "$3" >> "%s"\nexit 0\n' % (tmp_path / "ran"))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    return str(fake)


def _ready_dir(tmp_path, *marks):
    """The image build's ready directory holding ``marks`` (image names, <image>.failed, .exit)."""
    ready = tmp_path / "ready"
    ready.mkdir()
    for mark in marks:
        (ready / mark).write_text("1\n" if mark == ".exit" else "")
    return ready


def _run_molecule(tmp_path, ready, scenarios, builder_alive=True):
    """run-molecule.sh with the fake molecule, beside a stand-in image builder that is still running
    (``builder_alive``) or has already ended."""
    builder = subprocess.Popen(["sleep", "60"] if builder_alive else ["true"])
    if not builder_alive:
        builder.wait()
    env = dict(os.environ, MOLECULE=_fake_molecule(tmp_path), HG_IMAGES_READY_DIR=str(ready),
               HG_IMAGES_PID=str(builder.pid), HG_MOLECULE_SUFFIX="-unit-harness",
               HG_MOLECULE_LOGS=str(tmp_path / "logs"))
    try:
        return subprocess.run([os.path.join(REPO, "scripts", "run-molecule.sh")] + scenarios, cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
    finally:
        builder.kill()
        builder.wait()


def test_a_scenario_whose_image_failed_is_a_failure_and_the_others_run(tmp_path):
    ready = _ready_dir(tmp_path, "bookworm", "trixie", "el-layout-trixie.failed")
    proc = _run_molecule(tmp_path, ready, ["el_layout", "audit_seed000"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "el_layout: not run: image el-layout-trixie failed to build" in proc.stdout
    assert (tmp_path / "ran").read_text().split() == ["audit_seed000"]


def test_a_scenario_whose_image_never_came_fails_once_the_build_ended(tmp_path):
    ready = _ready_dir(tmp_path, "bookworm")        # the build has ended; trixie was never marked ready
    proc = _run_molecule(tmp_path, ready, ["audit_seed000"], builder_alive=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "image trixie was not built (the image build ended)" in proc.stdout
    assert not (tmp_path / "ran").exists()


def test_the_build_s_exit_file_ends_the_wait_even_while_its_pid_lives(tmp_path):
    ready = _ready_dir(tmp_path, "bookworm", ".exit")   # the build ended (its pid may linger as a zombie)
    proc = _run_molecule(tmp_path, ready, ["audit_seed000"])
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "image trixie was not built (the image build ended)" in proc.stdout
