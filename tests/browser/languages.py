"""The header's language form, posted from the browser: a page is opened in the other
language and back, so that every page of a journey is seen in English and Vietnamese and
the form passes Django's CSRF Origin check as a real browser sends it."""

OTHER = {"vi": "en", "en": "vi"}


def switch(page, language: str, *, status: int = 200) -> None:
    page.select_option("#language-select", language)
    with page.expect_navigation() as navigation:
        page.locator("form.language-switch button[type=submit]").click()
    response = navigation.value
    assert response is not None, (page.url, language)
    assert response.status == status, (page.url, language, response.status)
    assert page.locator("html").get_attribute("lang") == language, (page.url, language)


def round_trip(page, *, status: int = 200, check=None) -> list[str]:
    """The page in the other language and back; `check` (the accessibility fixture) runs
    on the other language too. Pages without the site header (kiosk, ticket) are left alone."""
    select = page.locator("#language-select")
    if select.count() == 0 or not select.is_visible():
        return []
    language = page.locator("html").get_attribute("lang")
    switch(page, OTHER[language], status=status)
    problems = [f"({OTHER[language]}) {problem}" for problem in check(page)] if check else []
    switch(page, language, status=status)
    return problems
