"""docker-compose.yml against the Compose Specification schema, deploy/k8s/ against the
Kubernetes 1.37 schemas (strict), and the promises neither schema can check."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from subgraphs import CONTEXTS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"


def _compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _manifests() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, doc)
        for path in sorted(K8S.glob("*.yaml"))
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


def _named(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for _, d in _manifests() if d["kind"] == kind}


def test_compose_file_matches_the_compose_specification() -> None:
    schema = json.loads(
        (files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text()
    )
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(_compose())]
    assert errors == []


def test_the_schema_check_catches_a_mistake() -> None:
    schema = json.loads(
        (files("check_jsonschema.builtin_schemas.vendor") / "compose-spec.json").read_text()
    )
    broken = _compose()
    broken["services"]["gateway"]["restart_policy"] = "always"  # not a compose key
    assert not jsonschema.validators.validator_for(schema)(schema).is_valid(broken)


def test_compose_services_restart_have_health_checks_and_keep_data_in_volumes() -> None:
    services = _compose()["services"]
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
    for name in ["kafka", "postgres", "mongo", "redis", "gateway", *CONTEXTS]:
        assert "healthcheck" in services[name], f"{name} has no health check"
    gateway = services["gateway"]
    assert gateway["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "--entity-cache" in gateway["command"], "the gateways share their entity cache"
    assert set(CONTEXTS) <= set(services), "a subgraph per context"
    named = set(_compose()["volumes"])
    for name in ("kafka", "postgres", "mongo"):
        volumes = [v.split(":")[0] for v in services[name].get("volumes", [])]
        assert volumes and set(volumes) <= named, f"{name} keeps its data in a named volume"
    assert services["relay"]["deploy"]["replicas"] >= 2, "a standby relay"


@pytest.mark.parametrize(("file", "doc"), _manifests(), ids=lambda v: str(v)[:40])
def test_each_manifest_is_valid_kubernetes(file: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, "1.37.0", strict=True)


def test_a_misspelt_field_fails_the_manifest_check() -> None:
    deployment = dict(_named("Deployment")["relay"])
    deployment["spec"] = {**deployment["spec"], "replica": 2}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, "1.37.0", strict=True)


def test_one_subgraph_and_one_projector_deployment_per_context() -> None:
    deployments = _named("Deployment")
    services = _named("Service")
    for context in CONTEXTS:
        assert context in deployments and context in services, context
        args = deployments[f"{context}-projector"]["spec"]["template"]["spec"]["containers"][0]
        assert args["args"] == ["project", context]
    assert deployments["relay"]["spec"]["replicas"] >= 2


def test_the_gateway_autoscales_and_reads_the_supergraph_configmap() -> None:
    (hpa,) = _named("HorizontalPodAutoscaler").values()
    assert hpa["spec"]["scaleTargetRef"]["name"] == "gateway"
    assert hpa["spec"]["minReplicas"] >= 2
    pod = _named("Deployment")["gateway"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["supergraph"]["configMap"]["name"] == "pos-supergraph"
    container = pod["containers"][0]
    assert container["resources"]["requests"]["cpu"], "the CPU target needs a request"


def test_every_pod_reads_pos_config_and_no_password_is_checked_in() -> None:
    for file, doc in _manifests():
        if doc["kind"] != "Deployment":
            continue
        for container in doc["spec"]["template"]["spec"]["containers"]:
            assert {"configMapRef": {"name": "pos-config"}} in container["envFrom"], file
            env = {e["name"]: e for e in container["env"]}
            assert "secretKeyRef" in env["POS_PG_URL"]["valueFrom"], file
    assert "pos:pos@" not in "".join(p.read_text() for p in K8S.glob("*.yaml"))
    external = _named("Service")
    for name in ("kafka", "postgres", "mongo"):
        assert external[name]["spec"]["type"] == "ExternalName"
