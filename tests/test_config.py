"""Configuration from the environment."""

import gc

import pytest

from review_app import create_app
from review_app.config import ConfigError, load_config, normalise_database_url


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(tmp_path, {"REVIEW_APP_ENV": "production"})
    with pytest.raises(ConfigError):
        create_app(env={})  # production is the default mode


def test_production_cookies_are_secure(tmp_path):
    config = load_config(tmp_path, {"SECRET_KEY": "x" * 32})
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_keeps_a_generated_secret(tmp_path):
    one = load_config(tmp_path, {"REVIEW_APP_ENV": "development"})
    two = load_config(tmp_path, {"REVIEW_APP_ENV": "development"})
    assert one["SECRET_KEY"] == two["SECRET_KEY"] and len(one["SECRET_KEY"]) == 64
    assert not one["SESSION_COOKIE_SECURE"]


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    config = load_config(tmp_path, {"REVIEW_APP_ENV": "development"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'review.sqlite3'}"


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unknown_mode_refused(tmp_path):
    with pytest.raises(ConfigError, match="REVIEW_APP_ENV"):
        load_config(tmp_path, {"REVIEW_APP_ENV": "staging"})


def test_demo_clock_shifts_today_but_not_in_production(tmp_path):
    from datetime import date

    from review_app.clock import china_date, utcnow

    config = load_config(
        tmp_path, {"REVIEW_APP_ENV": "development", "REVIEW_APP_TODAY": "2026-03-20"}
    )
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", **config},
        env={"REVIEW_APP_ENV": "development"},
    )
    with app.app_context():
        assert china_date(utcnow()) == date(2026, 3, 20)
    with pytest.raises(ConfigError, match="REVIEW_APP_TODAY"):
        load_config(tmp_path, {"SECRET_KEY": "k" * 32, "REVIEW_APP_TODAY": "2026-03-20"})
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        load_config(tmp_path, {"REVIEW_APP_ENV": "development", "REVIEW_APP_TODAY": "3月20日"})


def test_production_freezes_the_start_up_objects_out_of_the_collector(tmp_path):
    assert load_config(tmp_path, {"SECRET_KEY": "x" * 32})["GC_FREEZE"]
    assert not load_config(tmp_path, {"SECRET_KEY": "x" * 32, "GC_FREEZE": "0"})["GC_FREEZE"]
    assert not load_config(tmp_path, {"REVIEW_APP_ENV": "development"})["GC_FREEZE"]
    assert not load_config(tmp_path, {"REVIEW_APP_ENV": "testing"})["GC_FREEZE"]
    gc.unfreeze()
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"},
                   env={"SECRET_KEY": "x" * 32, "REVIEW_APP_ENV": "production"})  # fmt: skip
        assert gc.get_freeze_count() > 0
        gc.unfreeze()
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "GC_FREEZE": False},
                   env={"SECRET_KEY": "x" * 32, "REVIEW_APP_ENV": "production"})  # fmt: skip
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
