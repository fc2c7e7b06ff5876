"""The sushi_ keys of the api section: defaults that work, values read
into Settings, and each misconfiguration one line naming file, section
and key (no servers needed)."""

import pytest

from loglines.api.sushi import Settings
from loglines.config import load
from loglines.errors import ConfigError

HEAD = "[worker_stats]\nkind = stats\nlistento = stats\n[worker_api]\nkind = api\n"
KEY = "the-harvesters-key"


def test_the_defaults_serve_the_world(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text(HEAD)
    settings = Settings.from_options(load(path).program("worker_api").options)
    assert settings == Settings()
    assert settings.customers == {"0000000000000000": "The World"}
    assert (settings.platform, settings.platform_id, settings.data_type) == (
        "loglines", "loglines", "Unspecified")
    assert (settings.requestors, settings.api_key, settings.min_interval) == (
        frozenset(), None, 0.0)


def test_the_keys_read_and_the_api_key_kept_out_of_repr(tmp_path):
    path = tmp_path / "loglines.cfg"
    path.write_text(HEAD + 'sushi_customers = "ac1=University of X, Library", ac2 = Y Lab\n'
                    "sushi_requestors = r1, r2\nsushi_api_key = ${KEY}\n"
                    "sushi_min_interval = 2.5\nsushi_platform = Repo X\n"
                    "sushi_platform_id = repox\nsushi_data_type = Dataset\n")
    options = load(path, environ={"KEY": KEY}).program("worker_api").options
    settings = Settings.from_options(options)
    assert settings.customers == {"ac1": "University of X, Library", "ac2": "Y Lab"}
    assert settings.requestors == {"r1", "r2"}
    assert (settings.api_key, settings.min_interval, settings.data_type) == (KEY, 2.5, "Dataset")
    assert KEY not in repr(options) + repr(settings)


@pytest.mark.parametrize("line, key, message", [
    ("sushi_platform = X", "sushi_platform",
     "expected the platform's name, at least two characters"),
    ("sushi_platform_id = 9lives", "sushi_platform_id",
     "expected 2 to 18 letters, digits, '_', '.' or '/', starting with a letter, got '9lives'"),
    ("sushi_registry_record = https://example.org/", "sushi_registry_record",
     "expected https://registry.projectcounter.org/platform/<uuid> or nothing"),
    ("sushi_customers = ac1", "sushi_customers",
     "expected customer_id=Institution name (a name of two characters or more), got 'ac1'"),
    ("sushi_customers = ac1=Alpha, ac1=Another", "sushi_customers",
     "a customer_id is named twice"),
    ('sushi_customers = ""', "sushi_customers",
     "expected customer_id=Institution name (a name of two characters or more), got ''"),
    ("sushi_api_key = ' '", "sushi_api_key", "empty: give a key, or remove the line"),
    ("sushi_data_type = Book", "sushi_data_type",
     "expected one of Article, Audiovisual, Book_Segment, Conference_Item, Database_Full_Item, "
     "Dataset, Image, Interactive_Resource, Multimedia, News_Item, Other, Patent, "
     "Reference_Item, Report, Software, Sound, Standard, Thesis_or_Dissertation, Unspecified, "
     "got 'Book'"),
    ("sushi_min_interval = -1", "sushi_min_interval", "expected at least 0, got '-1'"),
])
def test_a_misconfiguration_is_one_line_naming_the_key(tmp_path, line, key, message):
    path = tmp_path / "loglines.cfg"
    path.write_text(HEAD + line + "\n")
    with pytest.raises(ConfigError) as err:
        load(path)
    assert err.value.problems == [f"{path}: [worker_api] {key}: {message}"]
