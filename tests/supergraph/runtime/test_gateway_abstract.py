"""Interfaces and unions whose members live in different subgraphs; @interfaceObject."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("data_path")  # Python path and compiled core


async def test_union_with_members_resolved_by_other_subgraphs(start_graph) -> None:
    async with start_graph("abstract") as g:
        result = await g.query(
            "{ search { __typename ... on Book { title stars } ... on Movie { minutes } } }"
        )
        assert result == {
            "data": {
                "search": [
                    {"__typename": "Book", "title": "Dune", "stars": 4},
                    {"__typename": "Movie", "minutes": 117},
                    {"__typename": "Book", "title": "Emma", "stars": 2},
                ]
            }
        }
        # only the Books are sent to ratings, in one request
        ratings = g.requests_to("ratings")
        assert len(ratings) == 1
        assert ratings[0]["variables"]["representations"] == [
            {"__typename": "Book", "id": "b1"},
            {"__typename": "Book", "id": "b2"},
        ]


async def test_union_member_only_in_another_subgraph(start_graph) -> None:
    async with start_graph("abstract") as g:
        result = await g.query(
            "{ musicSearch { __typename ... on Song { title } ... on Book { pages } } }"
        )
        assert result == {"data": {"musicSearch": [{"__typename": "Song", "title": "Blue"}]}}


async def test_interface_fragments_and_typename(start_graph) -> None:
    async with start_graph("abstract") as g:
        result = await g.query(
            "{ nodes { __typename id ... on Movie { stars } ...M } } fragment M on Media { title }"
        )
        assert result == {
            "data": {
                "nodes": [
                    {"__typename": "Book", "id": "b1", "title": "Dune"},
                    {"__typename": "Movie", "id": "m1", "stars": 5, "title": "Alien"},
                    {"__typename": "Book", "id": "b2", "title": "Emma"},
                ]
            }
        }


async def test_interface_object_field_fetched_with_interface_typename(start_graph) -> None:
    async with start_graph("abstract") as g:
        result = await g.query("{ nodes { ... on Media { title likes } } }")
        assert result == {
            "data": {
                "nodes": [
                    {"title": "Dune", "likes": 14},
                    {"title": "Alien", "likes": 14},
                    {"title": "Emma", "likes": 14},
                ]
            }
        }
        assert g.requests_to("social")[0]["variables"]["representations"] == [
            {"__typename": "Media", "id": "b1"},
            {"__typename": "Media", "id": "m1"},
            {"__typename": "Media", "id": "b2"},
        ]


async def test_interface_returned_by_an_interface_object_subgraph(start_graph) -> None:
    async with start_graph("abstract") as g:
        result = await g.query(
            "{ mostLiked { __typename likes title "
            "... on Book { stars } ... on Movie { minutes } } }"
        )
        assert result == {
            "data": {
                "mostLiked": [
                    {"__typename": "Movie", "likes": 99, "title": "Alien", "minutes": 117},
                    {"__typename": "Book", "likes": 42, "title": "Emma", "stars": 2},
                ]
            }
        }
        # social knows only "Media"; media resolves the concrete types by the interface key
        assert g.requests_to("media")[0]["variables"]["representations"] == [
            {"__typename": "Media", "id": "m1"},
            {"__typename": "Media", "id": "b2"},
        ]
