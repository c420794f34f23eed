# The browser fixtures normally come from tests/conftest.py
# (pytest_plugins = ["tests.support.fixtures"]). Load them here too when that
# has not happened, so these self-tests run on their own.


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("tests.support.fixtures"):
        config.pluginmanager.import_plugin("tests.support.fixtures")
