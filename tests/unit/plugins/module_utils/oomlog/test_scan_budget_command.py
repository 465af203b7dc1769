"""Issue 17 item 3 for oomlog's command sources: journalctl/dmesg output cut by max_read_bytes
is said ("not fully scanned: ... bytes read, then size budget ...") like a file read in part.
Counted in bytes; the child is a short Python printing a fixed amount."""
import sys

from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog import collect
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.records import Parser
from ansible_collections.hostguard.hardening.plugins.module_utils.oomlog.scanner import Scanner


def test_command_output_cut_by_the_size_budget_is_named():
    scanner = Scanner(Parser())
    argv = [sys.executable, "-c", "import sys; sys.stdout.write('kernel: eth0 up\\n' * 200000)"]
    status = collect.run_into(argv, scanner, 60, 64 * 1024)
    status["source"] = "journal"
    assert status["truncated"] and not status["timed_out"] and status["bytes"] >= 64 * 1024
    message = collect.scan_cut_message(status)
    assert message.startswith("not fully scanned: ") and "size budget (max_read_bytes) reached" in message
    assert "%d bytes read" % status["bytes"] in message


def test_whole_command_output_is_no_cut():
    scanner = Scanner(Parser())
    status = collect.run_into([sys.executable, "-c", "print('kernel: eth0 up')"], scanner, 60, 1 << 20)
    status["source"] = "dmesg"
    assert not status["truncated"] and collect.scan_cut_message(status) is None
