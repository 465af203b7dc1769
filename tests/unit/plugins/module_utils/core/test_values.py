# -*- coding: utf-8 -*-
"""core.values: the text tables the data tables are written in."""
import pytest

from ansible_collections.hostguard.hardening.plugins.module_utils.core.values import duplicates, text_table
from ansible_collections.hostguard.hardening.plugins.module_utils.core.lynis_categories import CATEGORIES
from ansible_collections.hostguard.hardening.plugins.module_utils.cron.audit import LOCATIONS


def test_text_table_rows_and_rest_of_line():
    assert text_table("\nA  x  first title\n\nB  -  second\n", 3) == (
        ("A", "x", "first title"), ("B", "-", "second"))


def test_text_table_refuses_a_short_row():
    with pytest.raises(ValueError, match="2 fields, not 3"):
        text_table("A x\n", 3)


def test_tables_read_from_text():
    assert CATEGORIES[0] == ("BOOT", "Boot and services", "boot")
    assert ("PRNT", "Printers and spools", None) in CATEGORIES
    assert len(CATEGORIES) == 37 and len(set(p for p, _t, _a in CATEGORIES)) == 37
    assert LOCATIONS[0] == ("/etc/crontab", "system_crontab", False)
    assert LOCATIONS[-2:] == (("/etc/init.d", "boot", True), ("/etc/local.d", "local_d", True))
    assert [p for p, _k, d in LOCATIONS if not d] == ["/etc/crontab", "/etc/anacrontab", "/etc/rc.local"]


def test_duplicates():
    assert duplicates(["b", "a", "b", "c", "a"]) == ["a", "b"]
