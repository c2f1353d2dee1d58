from pydantic import SecretStr

from blocks import CommonDbCredentials, PipelineConfig
from palfa.errors import ConfigError


def test_pipeline_config_round_trips_through_the_api(prefect_server, tmp_path):
    config = PipelineConfig()
    config.settings.searching.max_dm = 321.0
    config.ftp.password = SecretStr("s3cret")
    config.save("test-roundtrip", overwrite=True)

    loaded = PipelineConfig.load("test-roundtrip")
    assert loaded.settings.searching.max_dm == 321.0
    assert loaded.ftp.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(loaded)


def test_checked_names_every_bad_setting(prefect_server, tmp_path):
    config = PipelineConfig()
    config.settings.download.datadir = tmp_path / "missing"
    config.settings.searching.lo_accel_numharm = 12
    config.save("test-bad", overwrite=True)
    loaded = PipelineConfig.load("test-bad")
    try:
        loaded.checked()
    except ConfigError as exc:
        names = {p.setting for p in exc.problems}
        assert {"download.datadir", "searching.lo_accel_numharm"} <= names
    else:
        raise AssertionError("a config with a missing directory passed its checks")


def test_odbc_credentials_are_added_to_the_connection_string():
    creds = CommonDbCredentials(url="odbc:DRIVER={FreeTDS};SERVER=db", username="u",
                                password=SecretStr("p"))
    assert creds.connection_url() == "odbc:DRIVER={FreeTDS};SERVER=db;UID=u;PWD=p"
