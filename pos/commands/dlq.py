"""`pos dlq list|replay`: the projection runners' dead letters, for an operator.

Services mode only: dead letters live in Kafka (``pos.<context>.dlq``); the embedded bus
is in memory and its projections catch up from the store at every start instead.
Replay runs the named projection in this process, against the same read store as the
live runner, and appends a resolution marker for each dead letter it applied
(`eventbus.dead_letters`). Exit code 0 when everything asked for was applied or listed,
1 when some dead letter could not be replayed (it stays listed, with the reason).
"""

from __future__ import annotations

import asyncio

import typer

from pos.settings import Settings

app = typer.Typer(help="List and replay the projection runners' dead letters (services mode).")


def _topics(context: list[str] | None, topic: list[str] | None) -> list[str]:
    """Dead-letter topics: of the given source topics, else of the contexts (default all)."""
    from eventbus import dead_letter_topic, topic_for

    if topic:
        return [dead_letter_topic(t) for t in topic]
    from subgraphs import CONTEXTS

    names = context or list(CONTEXTS)
    unknown = [n for n in names if n not in CONTEXTS]
    if unknown:
        raise typer.BadParameter(f"unknown context {unknown[0]!r}: one of {', '.join(CONTEXTS)}")
    return [dead_letter_topic(topic_for(n)) for n in names]


async def _letters(bootstrap: str, topics: list[str]) -> list:
    from eventbus.dead_letters import unresolved
    from eventbus.transports.kafka_topic_reader import read_topics

    return unresolved(await read_topics(bootstrap, topics))


ContextOpt = typer.Option(None, "--context", "-c", help="Context (repeatable; default: all).")
IdsArg = typer.Argument(None, help="Dead-letter ids from `pos dlq list`.")
TopicOpt = typer.Option(None, "--topic", help="Source topic instead of contexts (repeatable).")


@app.command("list")
def list_(context: list[str] = ContextOpt, topic: list[str] = TopicOpt) -> None:
    """Unresolved dead letters: id, projection, event, where it came from, and why."""
    bootstrap = Settings.from_env().kafka_bootstrap
    letters = asyncio.run(_letters(bootstrap, _topics(context, topic)))
    if not letters:
        typer.echo("no dead letters")
        return
    for d in letters:
        event = (
            f"{d.envelope.type} #{d.envelope.stream_version} of {d.envelope.subject}"
            if d.envelope
            else f"undecodable record (key {d.key})"
        )
        typer.echo(
            f"{d.id}  projection={d.projection}  {event}  "
            f"from {d.source_topic}[{d.source_partition}]@{d.source_offset}  "
            f"attempts={d.attempts}\n    reason: {d.error}"
        )


@app.command()
def replay(
    ids: list[str] = IdsArg,
    all_: bool = typer.Option(False, "--all", help="Every unresolved dead letter."),
    resolve_only: bool = typer.Option(
        False, "--resolve-only", help="Mark resolved without applying (after a rebuild)."
    ),
    context: list[str] = ContextOpt,
    topic: list[str] = TopicOpt,
) -> None:
    """Apply dead letters to their projections after a fix; applied ones are resolved."""
    if not ids and not all_:
        raise typer.BadParameter("name dead-letter ids (see `pos dlq list`) or pass --all")
    raise typer.Exit(asyncio.run(_replay(ids or [], all_, resolve_only, _topics(context, topic))))


async def _replay(ids: list[str], all_: bool, resolve_only: bool, topics: list[str]) -> int:
    from eventbus.dead_letters import Outcome, mark_resolved
    from eventbus.dead_letters import replay as replay_one
    from eventbus.projection import Projection
    from eventbus.readmodel import init_read_store
    from subgraphs import CONTEXTS
    from subgraphs.hosting.services import build_services

    services = build_services("services", relay=False)
    await services.start()
    try:
        letters = await _letters(services.transport.bootstrap, topics)  # type: ignore[attr-defined]
        chosen = letters if all_ else [d for d in letters if d.id in ids]
        missing = set(ids) - {d.id for d in chosen}
        for name in sorted(missing):
            typer.echo(f"{name}: no such unresolved dead letter")
        projections: dict[str, Projection] = {}
        if not resolve_only:
            for context_name, context in CONTEXTS.items():
                view = services.for_context(context_name)
                wanted = [
                    p for p in context.projections(view) if p.name in {d.projection for d in chosen}
                ]
                if wanted:
                    services.clients.append(
                        await init_read_store(view.mongo_url, view.database, context.documents())
                    )
                    projections.update({p.name: p for p in wanted})
        failed = bool(missing)
        done = []
        for letter in chosen:
            if resolve_only:
                done.append(letter)
                typer.echo(f"{letter.id}: marked resolved")
                continue
            projection = projections.get(letter.projection)
            if projection is None:
                typer.echo(f"{letter.id}: no projection named {letter.projection!r} here")
                failed = True
                continue
            outcome, note = await replay_one(letter, projection)
            typer.echo(f"{letter.id}: {outcome}: {note}")
            if outcome is Outcome.APPLIED:
                done.append(letter)
            else:
                failed = True
        await mark_resolved(services.transport, done)
        return 1 if failed else 0
    finally:
        await services.stop()
