import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from siteseer.config import Config, ConfigError, load_config

REPO = Path(__file__).resolve().parent.parent


def write(tmp_path, text):
    (tmp_path / "siteseer.toml").write_text(text)
    return tmp_path


def test_defaults_without_a_file(tmp_path):
    config = load_config(tmp_path)
    assert config.root == tmp_path.resolve()
    assert config.server.port == 8000 and config.files.directory_listing
    assert config.state_dir == tmp_path.resolve() / ".siteseer"
    assert config.config_path is None


def test_example_config_is_valid(tmp_path):
    shutil.copy(REPO / "examples" / "siteseer.toml", tmp_path / "siteseer.toml")
    config = load_config(tmp_path)
    assert config.redirects["/blog/*"] == "/posts/*"
    assert config.config_path == (tmp_path / "siteseer.toml").resolve()


@pytest.mark.parametrize("text, key", [
    ("[server]\nport = 70000\n", "server.port"),
    ("[server]\nport = 0\n", "server.port"),  # each worker a port of its own
    ("[ratelimit]\nmax_404_per_minute = -1\n", "ratelimit.max_404_per_minute"),  # blocked at the first 404
    ("[ratelimit]\nmax_404_per_minute = 0\n", "ratelimit.max_404_per_minute"),
    ("[files]\ncache_control = \"no-cache\\r\\nX-Evil: 1\"\n", "files.cache_control"),  # the header was dropped
    ("[server]\nport = \"80\"\n", "server.port"),
    ("[server]\nworkers = 0\n", "server.workers"),
    ("[server]\nbogus = 1\n", "server.bogus"),
    ("[files]\ndirectory_listing = \"yes\"\n", "files.directory_listing"),
    ("[access]\nblock = [\"10.0.0.0/33\"]\n", "access.block"),
    ("[access]\nblock = \"10.0.0.1\"\n", "access.block"),
    ("[redirects]\n\"old\" = \"/new\"\n", 'redirects."old"'),
    ("[redirects]\n\"/a/*/b\" = \"/c\"\n", 'redirects."/a/*/b"'),
    ("[nope]\nx = 1\n", "nope"),
    ("server = 3\n", "server"),
    ("[server]\naccess_log = \"xml\"\n", "server.access_log"),
    ("[search]\nresult_cache = -1\n", "search.result_cache"),
    # TOML's inf and nan passed "> 0": inf hours of session crashed every worker at start, in a loop
    ("[admin]\nsession_hours = inf\n", "admin.session_hours"),
    ("[ratelimit]\nrate = nan\n", "ratelimit.rate"),
    ("[server]\nheader_read_timeout = nan\n", "server.header_read_timeout"),
    # granian takes only an IP address: a name ended in a traceback from its socket code
    ("[server]\nhost = \"localhost\"\n", "server.host"),
    ("[server]\nhost = \"example.org\"\n", "server.host"),
    # A page's first load is 15 requests at once: a burst of 10 left the search and dashboard half drawn
    ("[ratelimit]\nburst = 10\n", "ratelimit.burst"),
    ("[access]\nproxy_header = \"X-Real-IP\"\n", "access.proxy_header"),
    # The state folder as the served folder: traffic.db and catalog.db were served to anyone
    ("[index]\nstate_dir = \"\"\n", "index.state_dir"),
    ("[index]\nstate_dir = \".\"\n", "index.state_dir"),
    # Accepted, then every search without its own per_page was refused
    ("[search]\nper_page = 100\n", "search.per_page"),
    # granian counts whole milliseconds: 0 cut every client off at once
    ("[server]\nheader_read_timeout = 0.0001\n", "server.header_read_timeout"),
])
def test_wrong_settings_name_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert err.value.key == key
    assert "\n" not in str(err.value)


def test_a_small_burst_is_fine_with_rate_limiting_off(tmp_path):
    assert load_config(write(tmp_path, "[ratelimit]\nenabled = false\nburst = 10\n")).ratelimit.burst == 10


def test_invalid_toml_is_one_line(tmp_path):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "[server\nport = 1\n"))
    assert "not valid TOML" in str(err.value)


def test_missing_folder_and_config(tmp_path):
    with pytest.raises(ConfigError):
        load_config(tmp_path / "missing")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path, tmp_path / "none.toml")
    assert err.value.key == "--config" and "does not exist" in str(err.value)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path, "/dev/null")  # exists, but is no file to read settings from
    assert "is not a regular file" in str(err.value)


def test_env_overrides_secrets(tmp_path):
    from siteseer.stats.auth import hash_password

    good = hash_password("pw", n=2 ** 4)
    write(tmp_path, f'secret_key = "file"\n[admin]\npassword_hash = "{hash_password("other", n=2 ** 4)}"\n')
    config = load_config(tmp_path, env={"SITESEER_ADMIN_PASSWORD_HASH": good, "SITESEER_SECRET_KEY": "k"})
    assert config.admin.password_hash == good and config.secret_key == "k"


def test_json_round_trip_for_workers(tmp_path):
    config = load_config(write(tmp_path, '[server]\nport = 9001\n[redirects]\n"/a" = "/b"\n'))
    again = Config.from_json(config.to_json())
    assert again.server.port == 9001 and again.redirects == {"/a": "/b"} and again.root == config.root


def test_cli_reports_a_wrong_setting_in_one_line(tmp_path):
    write(tmp_path, "[server]\nport = \"eighty\"\n")
    result = subprocess.run([sys.executable, "-m", "siteseer.cli", "serve", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == "siteseer: configuration error: server.port: must be a whole number, not 'eighty'"
    assert "Traceback" not in result.stderr


def test_ip_hosts_are_accepted(tmp_path):
    assert load_config(write(tmp_path, '[server]\nhost = "::"\n')).server.host == "::"
    assert load_config(write(tmp_path, '[server]\nhost = "0.0.0.0"\n')).server.host == "0.0.0.0"


@pytest.mark.parametrize("value", ["scrypt-oops", "scrypt$3$8$1$c2FsdA$ZGlnZXN0", "scrypt$32768$64$1$c2FsdA$ZGlnZXN0"])
def test_a_bad_admin_password_hash_stops_start_up(tmp_path, value):
    # It only turned the dashboard off, said in a log line; a hash with n not a power of two, or r
    # past 32, turned it on with no password that could ever log in.
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, f'[admin]\npassword_hash = "{value}"\n'))
    assert err.value.key == "admin.password_hash"
    bare = tmp_path / "bare"  # no siteseer.toml: the environment's hash alone
    bare.mkdir()
    with pytest.raises(ConfigError) as err:
        load_config(bare, env={"SITESEER_ADMIN_PASSWORD_HASH": value})
    assert err.value.key == "SITESEER_ADMIN_PASSWORD_HASH"


def test_a_good_admin_password_hash_loads(tmp_path):
    from siteseer.stats.auth import hash_password, verify_password

    good = hash_password("a long passphrase", n=2 ** 4)
    config = load_config(tmp_path, env={"SITESEER_ADMIN_PASSWORD_HASH": good})
    assert verify_password("a long passphrase", config.admin.password_hash)



def test_an_absolute_state_dir_that_is_the_folder_is_refused_wherever_serve_starts(tmp_path, monkeypatch):
    """Compared with the current directory, not the folder: from elsewhere the folder itself was
    taken (and its state.db served), and a state folder named like the current directory refused."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text(f'[index]\nstate_dir = "{site}"\n')
    with pytest.raises(ConfigError) as err:
        load_config(site, tmp_path / "c.toml")
    assert err.value.key == "index.state_dir"
    (tmp_path / "d.toml").write_text(f'[index]\nstate_dir = "{tmp_path}"\n')
    assert load_config(site, tmp_path / "d.toml").state_dir == tmp_path  # the current directory, not the folder
