"""The HTTP API of ``contractgen serve`` (/api/v1), through FastAPI's TestClient.

One build of the minimal sample is shared by the tests that read its zip; every other test
asks for something that is answered before a build (or by the checks alone).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SAMPLES, run_cli
from fastapi.testclient import TestClient
from pypdf import PdfReader

from contractgen.cli.serve import is_local
from contractgen.web.app import ServerConfig, create_app

YAML = {"content-type": "application/yaml"}
MINIMAL = (SAMPLES / "minimal.yaml").read_text(encoding="utf-8")


def client(out: Path, **config: Any) -> TestClient:
    return TestClient(create_app(ServerConfig(out, **config)))


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def api(out_dir: Path) -> Iterator[TestClient]:
    with client(out_dir) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def built(api: TestClient) -> Any:
    """The minimal sample built over the API: the response (a zip)."""
    return api.post("/api/v1/build", content=MINIMAL, headers=YAML)


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_build_answers_a_zip_whose_contract_pdf_names_the_influencer(built: Any) -> None:
    assert built.status_code == 200
    assert built.headers["content-type"] == "application/zip"
    assert "spring-sneaker-drop.zip" in built.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(built.content)).namelist()
    assert "manifest.json" in names and "summary.pdf" in names
    pdf = zipfile.ZipFile(io.BytesIO(built.content)).read("alexruns/contract.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    name = yaml.safe_load(MINIMAL)["influencers"][0]["legal_name"]
    assert name in text


def test_the_zip_holds_what_contractgen_build_writes(built: Any, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    assert run_cli("build", SAMPLES / "minimal.yaml", "--out", out, "--force").exit_code == 0
    archive = zipfile.ZipFile(io.BytesIO(built.content))
    on_disk = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert sorted(archive.namelist()) == on_disk
    for name in on_disk:
        if name != "manifest.json":  # the CLI's manifest also records the spec file it read
            assert archive.read(name) == (out / name).read_bytes(), name
    sent, cli = json.loads(archive.read("manifest.json")), json.loads((out / "manifest.json").read_text())
    assert sent["files"] == cli["files"] and sent["findings"] != [] and sent["findings"] == [
        f | {"file": sent["findings"][i]["file"]} for i, f in enumerate(cli["findings"])]


def test_nothing_stays_in_the_output_folder_after_a_build(built: Any, out_dir: Path) -> None:
    assert built.status_code == 200
    assert list(out_dir.iterdir()) == []


def test_build_can_answer_the_manifest_as_json(api: TestClient) -> None:
    answer = api.post("/api/v1/build?only=brief&formats=docx", content=MINIMAL,
                      headers=YAML | {"accept": "application/json"})
    assert answer.status_code == 200
    kinds = {(f["kind"], f["format"]) for f in answer.json()["files"] if f["influencer"]}
    assert kinds == {("brief", "docx"), ("calendar", "ics")}


def test_validate_answers_the_findings_located_in_the_sent_text(api: TestClient) -> None:
    answer = api.post("/api/v1/validate", content=MINIMAL, headers=YAML)
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] is True and body["influencers"] == 1
    no_account = next(f for f in body["findings"] if f["rule"] == "R1.no-account")
    assert no_account["file"] == "<request>"
    assert no_account["line"] == line_of(MINIMAL, "legal_name: Alex Morgan")


def test_validate_reads_json(api: TestClient) -> None:
    answer = api.post("/api/v1/validate", content=json.dumps(yaml.safe_load(MINIMAL), default=str),
                      headers={"content-type": "application/json"})
    assert answer.status_code == 200 and answer.json()["campaign"] == "spring-sneaker-drop"


def test_an_unknown_key_is_422_with_the_clis_located_message(api: TestClient) -> None:
    text = MINIMAL.replace("  fee: 800", "  fee: 800\n  shedule: []")
    answer = api.post("/api/v1/validate", content=text, headers=YAML)
    assert answer.status_code == 422
    problem = answer.json()["problems"][0]
    assert problem["field"] == "payment.shedule"
    assert problem["text"] == f"<request>:{line_of(text, 'shedule')}: payment.shedule: unknown key 'shedule'; did you mean 'schedule'?"


def test_a_wrong_type_is_422_on_its_field(api: TestClient) -> None:
    text = MINIMAL.replace("count: 1", "count: lots")
    answer = api.post("/api/v1/build", content=text, headers=YAML)
    assert answer.status_code == 422
    assert [(p["field"], p["line"]) for p in answer.json()["problems"]] == [("deliverables[0].count", line_of(text, "lots"))]


def test_a_value_no_pdf_font_draws_is_refused_where_it_is_written(api: TestClient) -> None:
    text = MINIMAL.replace("legal_name: Alex Morgan", "legal_name: Alex 모건")
    answer = api.post("/api/v1/validate", content=text, headers=YAML)
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["line"] == line_of(text, "모건")


def test_bad_yaml_is_400(api: TestClient) -> None:
    answer = api.post("/api/v1/validate", content="campaign: [unclosed\n", headers=YAML)
    assert answer.status_code == 400
    assert answer.json()["problems"][0]["text"].startswith("<request>:")


def test_another_content_type_is_415(api: TestClient) -> None:
    answer = api.post("/api/v1/validate", content=MINIMAL, headers={"content-type": "text/plain"})
    assert answer.status_code == 415
    assert answer.json()["error"] == "media_type" and "application/yaml" in answer.json()["hint"]


def test_a_body_over_the_limit_is_413_with_or_without_its_length(tmp_path: Path) -> None:
    small = client(tmp_path, max_bytes=1024)
    big = MINIMAL + "#" * 2048
    assert small.post("/api/v1/validate", content=big, headers=YAML).status_code == 413
    chunked = small.post("/api/v1/validate", content=iter([big.encode()[:1000], big.encode()[1000:]]), headers=YAML)
    assert chunked.status_code == 413
    assert small.post("/api/v1/validate", content=MINIMAL, headers=YAML).status_code == 200


def test_a_token_is_needed_by_every_request_when_one_is_set(tmp_path: Path) -> None:
    guarded = client(tmp_path, token="s3cret")
    for bad in ({}, {"authorization": "Bearer wrong"}, {"authorization": "s3cret"}):
        answer = guarded.get("/api/v1/schema", headers=bad)
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"
    assert guarded.get("/openapi.json").status_code == 401
    assert guarded.post("/api/v1/validate", content=MINIMAL, headers=YAML).status_code == 401
    assert guarded.get("/api/v1/schema", headers={"authorization": "Bearer s3cret"}).status_code == 200


def test_a_full_queue_is_429_with_retry_after(tmp_path: Path) -> None:
    app = create_app(ServerConfig(tmp_path, workers=1, waiting=1, retry_after=7))
    with app.state.builds.slot(), app.state.builds.slot():  # one build running, one waiting
        answer = TestClient(app).post("/api/v1/build", content=MINIMAL, headers=YAML)
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "7"
    assert answer.json()["error"] == "queue_full"


def test_a_build_over_its_time_is_stopped(tmp_path: Path) -> None:
    answer = client(tmp_path, timeout=0.01).post("/api/v1/build", content=MINIMAL, headers=YAML)
    assert answer.status_code == 503 and answer.json()["error"] == "timeout"
    assert list(tmp_path.iterdir()) == []


def test_an_error_finding_stops_the_build_unless_forced(api: TestClient) -> None:
    early = re.sub(r"\{from: [0-9-]+", "{from: 2027-04-03", MINIMAL)  # the draft falls due before the start
    assert early != MINIMAL
    answer = api.post("/api/v1/build?formats=docx&only=contract", content=early, headers=YAML)
    assert answer.status_code == 422 and answer.json()["error"] == "blocked"
    assert "R2.draft-before-start" in {f["rule"] for f in answer.json()["findings"] if f["severity"] == "error"}
    forced = api.post("/api/v1/build?formats=docx&only=contract&force=true", content=early, headers=YAML)
    assert forced.status_code == 200
    assert "alexruns/contract.docx" in zipfile.ZipFile(io.BytesIO(forced.content)).namelist()


def test_bad_parameters_are_422(api: TestClient) -> None:
    assert api.post("/api/v1/build?formats=odt", content=MINIMAL, headers=YAML).json()["error"] == "parameter"
    answer = api.post("/api/v1/build?only=letters", content=MINIMAL, headers=YAML)
    assert answer.status_code == 422 and answer.json()["problems"][0]["field"] == "query.only"


def test_a_logo_is_refused_where_it_is_written(api: TestClient) -> None:
    text = MINIMAL.replace("  legal_name: Stride Footwear Ltd", "  legal_name: Stride Footwear Ltd\n  logo: /etc/x.png")
    answer = api.post("/api/v1/build", content=text, headers=YAML)
    assert answer.status_code == 422
    assert [(p["field"], p["line"]) for p in answer.json()["problems"]] == [("brand.logo", line_of(text, "logo:"))]


def test_schema_clauses_and_coverage_answer_as_the_cli_does(api: TestClient, tmp_path: Path) -> None:
    assert api.get("/api/v1/schema").json() == json.loads(run_cli("schema").stdout)
    listed = run_cli("clauses", "list").stdout
    ids = [row["id"] for row in api.get("/api/v1/clauses").json()]
    assert ids and all(cid in listed for cid in ids)
    coverage = api.post("/api/v1/coverage", content=MINIMAL, headers=YAML)
    assert coverage.json() == json.loads(run_cli("coverage", SAMPLES / "minimal.yaml", "--json").stdout)


def test_openapi_documents_every_endpoint(api: TestClient) -> None:
    paths = api.get("/openapi.json").json()["paths"]
    assert {"/api/v1/validate", "/api/v1/build", "/api/v1/coverage", "/api/v1/schema", "/api/v1/clauses"} <= set(paths)
    assert "application/yaml" in paths["/api/v1/build"]["post"]["requestBody"]["content"]


def test_serve_refuses_another_host_without_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTRACTGEN_TOKEN", raising=False)
    refused = run_cli("serve", "--host", "0.0.0.0")
    assert refused.exit_code == 2 and "--token" in refused.output


@pytest.mark.parametrize(("host", "local"), [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                             ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False)])
def test_only_this_machines_addresses_count_as_local(host: str, local: bool) -> None:
    assert is_local(host) is local
