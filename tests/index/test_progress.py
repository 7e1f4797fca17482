"""The progress bar of ``siteseer index``."""

from siteseer.index.progress import ProgressBar


def test_no_time_left_is_guessed_from_the_first_files():
    bar = ProgressBar(width=10)
    # The pool's start-up is in the first file's time: "1/30000 files ~46047s left" was printed.
    assert "left" not in bar.render(1, 30_000, 1.535)
    assert "left" not in bar.render(600, 30_000, 1.0)  # 2 % done, but a second in
    assert bar.render(600, 30_000, 3.0).endswith(" ~147s left   ")  # a rate by then
    assert bar.render(30_000, 30_000, 60.0) == "Indexing [##########] 30000/30000 files   "
