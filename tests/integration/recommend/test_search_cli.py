"""``wujie search query`` on a small CSV catalog."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from wujie.entrypoints.cli import main
from wujie.shared.errors import WujieError

runner = CliRunner()
main._register()


def _catalog(path: Path) -> Path:
    path.write_text(
        "id,name,brand,category,popularity\np1,华为 Mate 60 手机,华为,手机,100\np2,小米 14 手机,小米,手机,500\n"
        "p3,삼성 갤럭시 S24,Samsung,휴대폰,50\n",
        encoding="utf-8",
    )
    return path


def test_query_prints_ranked_hits_as_json(tmp_path: Path) -> None:
    result = runner.invoke(
        main.app, ["search", "query", "갤럭시", "--catalog", str(_catalog(tmp_path / "c.csv")), "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["matched"] == 1
    assert [h["id"] for h in body["hits"]] == ["p3"]


def test_empty_query_and_bad_catalog_are_domain_errors(tmp_path: Path) -> None:
    result = runner.invoke(main.app, ["search", "query", "  ", "--catalog", str(_catalog(tmp_path / "c.csv"))])
    assert isinstance(result.exception, WujieError)
    assert result.exception.code == "search_empty_query"
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,title\n1,x\n", encoding="utf-8")
    result = runner.invoke(main.app, ["search", "query", "x", "--catalog", str(bad)])
    assert isinstance(result.exception, WujieError)
    assert "needs columns id,name" in result.exception.message
