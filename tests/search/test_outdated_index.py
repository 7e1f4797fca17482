"""An index an older siteseer made is not searched: it says so until it is rebuilt.

Its fields are not the ones a search reads: every search of a schema-5 index
(kept by `siteseer serve --no-index` after an upgrade) was a 400 "Field `lang`
is not defined in the schema".
"""

from pathlib import Path

from click.testing import CliRunner

from siteseer import cli
from siteseer.index.catalog import Catalog
from siteseer.index.indexer import catalog_path
from siteseer.search.service import SearchService
from sx_fixtures import indexed_service


def test_an_older_siteseers_index_is_not_searched_and_says_so(tmp_path: Path):
    (tmp_path / "a.txt").write_text("Lamp\n\nlamp oil\n", encoding="utf-8")
    config = indexed_service(tmp_path).config
    catalog = Catalog(catalog_path(config))
    catalog.set_meta(schema_version="5")  # what an older siteseer wrote
    catalog.close()

    result = SearchService(config).search("lamp", languages=["de"])
    assert result["total"] == 0 and result["index"]["outdated"] is True

    command = CliRunner().invoke(cli.main, ["search", str(tmp_path), "lamp"])
    assert command.exit_code == 1 and "made by an older siteseer" in command.output
    assert CliRunner().invoke(cli.main, ["index", str(tmp_path), "--quiet"]).exit_code == 0  # rebuilds it

    result = SearchService(config).search("lamp", languages=["de"])
    assert result["total"] == 1 and "outdated" not in result["index"]


def test_an_index_that_cannot_be_opened_is_logged_once(tmp_path: Path, caplog):
    """Every search found nothing and nothing said why (a damaged meta.json, a read-only disk)."""
    from siteseer.index.indexer import index_dir

    (tmp_path / "a.txt").write_text("Lamp\n\nlamp oil\n", encoding="utf-8")
    config = indexed_service(tmp_path).config
    (index_dir(config) / "meta.json").write_text('{"broken')
    service = SearchService(config)
    with caplog.at_level("WARNING", logger="siteseer.search"):
        for _ in range(3):
            assert service.search("lamp")["total"] == 0
            service.handle.refresh(force=True)
    assert [r.message for r in caplog.records].count(caplog.records[0].message) == 1
    assert "cannot be opened" in caplog.records[0].message
