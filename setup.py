"""Packaging beyond pyproject.toml: the top-level ``templates/`` and ``rubrics/`` folders ship
inside the installed package as ``review_app/templates`` and ``review_app/rubrics``, so a built
wheel (or ``pip install .`` without ``-e``) carries everything the app reads at run time.
``review_app/paths.py`` finds them there, or beside the package in a checkout."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["review_app*"]),
        "review_app.templates",
        "review_app.rubrics",
    ],
    package_dir={"review_app.templates": "templates", "review_app.rubrics": "rubrics"},
    package_data={
        "review_app": ["data/*", "migrations/*", "migrations/**/*", "static/**/*"],
        "review_app.templates": ["**/*"],
        "review_app.rubrics": ["*.toml"],
    },
)
