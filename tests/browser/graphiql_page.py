"""Drive the bundled GraphiQL page (GraphiQL 5, Monaco editors) like a user would."""

from __future__ import annotations

import json
import re

from playwright.async_api import Page, expect

QUERY_EDITOR = ".graphiql-query-editor .monaco-editor"
RESPONSE = ".graphiql-response"
EXECUTE = "button.graphiql-execute-button"
ACTIVE_TAB = ".graphiql-tab-active .graphiql-tab-button"


async def open_graphiql(page: Page, url: str, headers: dict[str, str] | None = None) -> None:
    """Load the page and wait until the operation editor is ready for typing.

    `headers` are what a user typed into the Headers tab before (GraphiQL keeps them in
    localStorage under `graphiql:headers` and sends them with every operation; our page
    also puts them in the WebSocket's connection_init payload)."""
    if headers is not None:
        await page.add_init_script(
            f"localStorage.setItem('graphiql:headers', {json.dumps(json.dumps(headers))});"
        )
    await page.goto(url)
    await page.locator(QUERY_EDITOR).wait_for(state="visible")


async def set_query(page: Page, query: str, operation_name: str) -> None:
    """Replace the operation editor's text, as a paste would. Lines go in unindented
    because Monaco indents each new line itself; it may also auto-close the first brace
    after the inserted text, so whatever follows the cursor is cut.

    GraphiQL parses the editor's text a moment (debounced) after an edit; until then a run
    uses the old parse (a subscription would go over HTTP). The tab's name is no proof:
    it is read from the text even when the text does not parse, e.g. with a brace Monaco
    auto-closed that the last Delete then removes. The same handler that parses also
    stores the text under `graphiql:query`, so this waits until the stored text is the
    whole query (whitespace aside) and the tab is named after `operation_name`."""
    await page.locator(QUERY_EDITOR).click()
    await page.keyboard.press("ControlOrMeta+a")
    await page.keyboard.press("Delete")
    await page.keyboard.insert_text("\n".join(line.lstrip() for line in query.splitlines()))
    await page.keyboard.press("Shift+ControlOrMeta+End")
    await page.keyboard.press("Delete")
    await page.wait_for_function(
        """expected => (localStorage.getItem("graphiql:query") || "")
            .replace(/\\s+/g, "") === expected""",
        arg=re.sub(r"\s+", "", query),
    )
    await expect(page.locator(ACTIVE_TAB)).to_have_text(operation_name)


async def run(page: Page) -> None:
    """Press the run button (the play triangle)."""
    await page.locator(EXECUTE).click()


async def response_text(page: Page) -> str:
    """The result pane's visible text, whitespace collapsed (Monaco renders spaces as
    no-break spaces and splits lines into separate elements)."""
    text = await page.locator(RESPONSE).inner_text()
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
