"""Progress bars (``govsim.progress``): where they draw, and their label."""

from __future__ import annotations

import sys
import warnings

import pytest
from rich.console import Console

from govsim.progress import progress_bar


def test_no_bar_and_no_warning_in_jupyter_without_ipywidgets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """rich draws a bar in Jupyter with ipywidgets and warns in every cell without them."""
    monkeypatch.setattr("rich.console._is_jupyter", lambda: True)
    assert Console().is_jupyter
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # importing it fails
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with progress_bar(3, "simulating") as bar:
            bar.advance(3)
    assert [str(w.message) for w in caught] == []


def test_the_label_can_change_as_the_work_moves_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with progress_bar(None, "calibrating: pilot") as bar:
        bar.advance()
        bar.label("calibrating: 1 settings evaluated")
    err = capsys.readouterr().err
    assert "calibrating: pilot" in err and "calibrating: 1 settings evaluated" in err
