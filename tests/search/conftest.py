import pytest
from sx_fixtures import build_site, make_config

from siteseer.index.indexer import run_index
from siteseer.search.service import SearchService


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    build_site(root)
    config = make_config(root)
    summary = run_index(config)
    return config, summary


@pytest.fixture(scope="session")
def service(site) -> SearchService:
    return SearchService(site[0])


def paths(result: dict) -> list[str]:
    return [h["path"] for h in result["hits"]]
