"""The embedded MongoDB-wire store (SecantusDB child process) under Beanie."""

from __future__ import annotations

from pathlib import Path

from beanie import Document, init_beanie
from pymongo import AsyncMongoClient

from pos.infra import start_embedded_mongo


class Till(Document):
    code: str
    sales: int = 0

    class Settings:
        name = "tills"


async def test_beanie_insert_find_update_upsert_and_restart(tmp_path: Path) -> None:
    url, stop = start_embedded_mongo(tmp_path / "store")
    try:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(url)
        await init_beanie(database=client["pos_test"], document_models=[Till])
        await Till(code="T1").insert()
        till = await Till.find_one(Till.code == "T1")
        assert till is not None and till.sales == 0
        await till.inc({Till.sales: 3})
        await Till.find_one(Till.code == "T2").upsert(
            {"$inc": {"sales": 5}}, on_insert=Till(code="T2", sales=5)
        )
        await Till.find_one(Till.code == "T2").upsert(
            {"$inc": {"sales": 5}}, on_insert=Till(code="T2", sales=5)
        )
        found = {t.code: t.sales for t in await Till.find_all().sort("+code").to_list()}
        assert found == {"T1": 3, "T2": 10}
        await client.close()
    finally:
        stop()
    stop()  # idempotent

    url, stop = start_embedded_mongo(tmp_path / "store")
    try:
        client = AsyncMongoClient(url)
        await init_beanie(database=client["pos_test"], document_models=[Till])
        assert await Till.find(Till.sales > 4).count() == 1, "data survives a restart"
        await client.close()
    finally:
        stop()
