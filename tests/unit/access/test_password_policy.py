import pytest

from portal.services.access.password_policy import common_passwords, password_problem


@pytest.mark.parametrize(
    "password, problem",
    [
        ("short pass", "password.too_short"),
        ("x" * 129, "password.too_long"),
        ("password1234", "password.too_common"),
        ("Password2024!", "password.too_common"),  # a common word with decoration
        ("qwertyuiop123", "password.too_common"),
        ("aaaaaaaaaaaaaa", "password.too_common"),
        ("my 10093 secret phrase", "password.contains_username"),
        ("casa BNCLSN80A01F205T mia", "password.contains_fiscal_code"),
        ("correct horse battery staple", None),
        ("la gatta sul tetto che scotta", None),
        ("ñandú-über-€-passphrase", None),  # any Unicode, no composition rules
    ],
)
def test_policy(password, problem):
    assert password_problem(password, username="10093", fiscal_code="BNCLSN80A01F205T") == problem


def test_sub_user_name_counts_as_username():
    assert password_problem("account 10093 forever", username="10093.1") == "password.contains_username"


def test_the_list_ships_with_the_project():
    common = common_passwords()
    assert len(common) > 20_000 and "123456" in common and "juventus" in common
