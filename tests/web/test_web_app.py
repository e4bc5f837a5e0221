"""The web app through Starlette's TestClient: forms, errors, uploads, security, sessions."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from web_helpers import PRE_POST_FORM, PROGRAMME_FORM, TINY_RUBRIC, Client, trial_csv

from evidencekit.assessment.rubric import bundled_rubrics, load_rubric


def _programme(client: Client, **extra: str) -> Any:
    client.get("/programme")
    return client.post("/programme", {**PROGRAMME_FORM, **extra})


def _upload(client: Client, name: str, content: bytes, index: str = "new",
            **fields: str) -> Any:
    client.get(f"/evaluations/{index}")
    form = {"title": "School trial", "design": "rct", "site": "Northside",
            "assigned.treatment": "60", "assigned.control": "60",
            "outcome.name": "Reading score", "source": "data", **fields}
    return client.post(f"/evaluations/{index}", form,
                       files={"upload": (name, io.BytesIO(content), "application/octet-stream")})


def _files(client: Client) -> list[Path]:
    return sorted(p for p in client.session().folder.rglob("*") if p.is_file())


# -- pages and forms ---------------------------------------------------------------------------


def test_start_page_lists_every_bundled_rubric_with_nesta_chosen(client: Client) -> None:
    page = client.get("/").text
    offered = re.findall(r'name="rubric" value="([^"]+)"', page)
    loadable = []
    for rid, path in bundled_rubrics().items():
        try:
            load_rubric(path)
        except Exception:
            continue
        loadable.append(rid)
    assert sorted(offered) == sorted(loadable)
    assert offered[0] == "nesta"
    assert re.search(r'value="nesta"[^>]*checked', page)


def test_a_new_rubric_file_brings_its_own_questions(make_client: Any) -> None:
    client = make_client(extra_rubrics={"tiny": TINY_RUBRIC})
    assert 'value="tiny"' in client.get("/").text
    assert client.post("/start", {"rubric": "tiny"}).status_code == 303
    page = client.get("/questions").text
    tiny = load_rubric(TINY_RUBRIC)
    for lv in tiny.levels:
        assert f"Level {lv.level}</span> {lv.title}" in page
        for c in lv.criteria:
            assert c.question in page
    assert "Nesta" not in page
    client.post("/questions", {"claims.tiny.costed.answer": "yes",
                               "claims.tiny.costed.note": "Costed in our 2024 accounts"})
    _programme(client)
    result = client.get("/result").text
    assert "Tiny test rubric" in result
    assert re.search(r'id="verified-level">0<', result)
    assert re.search(r'id="claimed-level">1<', result)


def test_unknown_rubric_choice_is_refused(client: Client) -> None:
    response = client.post("/start", {"rubric": "../../etc/passwd"})
    assert response.status_code == 400
    assert client.session().answers.rubric == "nesta"


def test_programme_form_says_what_is_missing_and_keeps_the_other_answers(client: Client) -> None:
    response = _programme(client, **{"programme.name": "", "costs.per_participant": "lots"})
    assert response.status_code == 400
    page = response.text
    assert "Programme name is needed." in page
    assert "Enter a number, such as 12.5" in page
    assert 'aria-invalid="true"' in page
    assert 'href="#f-programme-name"' in page  # the error summary links to the field
    assert "Many children leave primary school" in page  # typed answers are kept


def test_answers_survive_a_reload(client: Client) -> None:
    assert _programme(client).status_code == 303
    page = client.get("/programme").text
    assert 'value="Reading Buddies"' in page
    assert "Volunteers read with each child twice a week\nTermly reading events" in page


def test_autosave_keeps_answers_typed_before_a_reload(client: Client) -> None:
    client.get("/programme")
    response = client.post("/programme", {"programme.name": "Half-typed name"},
                           headers={"X-Autosave": "1"})
    assert response.status_code == 204
    assert 'value="Half-typed name"' in client.get("/programme").text


def test_level_two_from_a_before_and_after_summary(client: Client) -> None:
    _programme(client)
    client.get("/evaluations/new")
    assert client.post("/evaluations/new", PRE_POST_FORM).status_code == 303
    assert "Reading check 2023" in client.get("/evaluations").text
    questions = client.get("/questions").text
    assert "Already shown by what you entered" in questions
    result = client.get("/result").text
    assert re.search(r'id="verified-level">2<', result)
    assert "What to do to reach level 3" in result
    assert "control or comparison group" in result  # the next step, as an action


def test_evaluation_form_checks_numbers_and_keeps_them(client: Client) -> None:
    _programme(client)
    client.get("/evaluations/new")
    response = client.post("/evaluations/new", {**PRE_POST_FORM, "pre.n": "eighty",
                                                 "post.sd": ""})
    assert response.status_code == 400
    assert "Enter a whole number, such as 120." in response.text
    assert "After: standard deviation (SD) is needed." in response.text
    assert 'value="eighty"' in response.text
    assert 'action="/evaluations/new"' in response.text  # not saved: still a new one
    assert "Not saved yet" in client.get("/evaluations").text  # kept as typed, apart
    assert "Almost there" not in client.get("/result").text  # a failed save is no evaluation
    assert 'value="eighty"' in client.get("/evaluations/new").text  # a reload keeps it
    client.post("/evaluations/new/discard", {})
    assert 'value="eighty"' not in client.get("/evaluations/new").text  # without saving: gone


def test_claims_from_the_questions_page(client: Client) -> None:
    _programme(client)
    client.get("/questions")
    client.post("/questions", {"claims.nesta.L2.outcome_data.answer": "yes",
                               "claims.nesta.L2.outcome_data.note": "Survey report due",
                               "claims.nesta.L2.positive_change.answer": "yes",
                               "claims.nesta.L2.positive_change.note": ""})
    result = client.get("/result").text
    assert re.search(r'id="verified-level">1<', result)
    assert re.search(r'id="claimed-level">2<', result)
    doc = yaml.safe_load(client.get("/download/submission.yaml").text)
    assert doc["claims"]["nesta.L2.outcome_data"] == {"answer": True,
                                                      "note": "Survey report due"}


def test_result_asks_for_what_is_missing_first(client: Client) -> None:
    page = client.get("/result").text
    assert "Almost there" in page
    assert "Programme name is needed." in page
    assert client.get("/download/report.pdf").status_code == 409


def test_unknown_evaluation_is_a_page_not_an_error(client: Client) -> None:
    assert client.get("/evaluations/7").status_code == 404
    assert client.get("/evaluations/abc/columns").status_code == 404
    assert client.get("/nowhere").status_code == 404
    assert "Page not found" in client.get("/nowhere").text


# -- uploads -----------------------------------------------------------------------------------


def test_upload_and_map_columns_of_a_trial_gives_level_three(client: Client,
                                                             tmp_path: Path) -> None:
    _programme(client)
    csv = trial_csv(tmp_path / "trial results.csv").read_bytes()
    response = _upload(client, "trial results.csv", csv)
    assert response.status_code == 303
    assert response.headers["location"] == "/evaluations/new/columns"
    assert client.session().answers.evaluations == []  # saved once the columns are matched
    page = client.get("/evaluations/new/columns").text
    assert "arm (e.g. tutored, control)" in page
    response = client.post("/evaluations/new/columns",
                           {"columns.outcome": "score", "columns.group": "pupil"})
    assert "has 120 different values; choose the column that says who took part" in \
        response.text
    assert "(1 rows)" not in response.text  # one message, not a radio button per value
    response = client.post("/evaluations/new/columns",
                           {"columns.outcome": "score", "columns.group": "arm"})
    assert "tutored <span class=\"count\">(60 rows)" in response.text
    response = client.post("/evaluations/new/columns",
                           {"columns.outcome": "score", "columns.group": "arm",
                            "columns.treatment": "tutored", "labels_shown": "1"})
    assert response.status_code == 303
    result = client.get("/result").text
    assert re.search(r'id="verified-level">3<', result)
    stored = _files(client)
    assert [p.name for p in stored] == ["trial-results.csv"]
    doc = yaml.safe_load(client.get("/download/submission.yaml").text)
    outcome = doc["evaluations"][0]["outcomes"][0]
    assert outcome["data"] == "data/trial-results.csv"
    assert outcome["columns"] == {"outcome": "score", "group": "arm", "treatment": "tutored"}


def test_upload_of_another_format_is_refused_with_a_message(client: Client) -> None:
    response = _upload(client, "notes.txt", b"score\n1\n")
    assert response.status_code == 400
    assert "is not a CSV, Excel (.xlsx) or Parquet file" in response.text
    assert _files(client) == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("broken.xlsx", b"not a zip file at all", "is not an Excel .xlsx workbook"),
    ("fake.xlsx", b"PK\x03\x04" + b"\x00" * 200, "an Excel .xlsx workbook"),
    ("broken.parquet", b"PAR1 nothing useful PAR1", "a Parquet file"),
    ("empty.csv", b"", "is empty"),
    ("header.csv", b"pupil,arm,score\n", "at least one row of data"),
])
def test_malformed_upload_gets_a_message_not_an_error_page(client: Client, name: str,
                                                           content: bytes, message: str) -> None:
    response = _upload(client, name, content)
    assert response.status_code == 400
    assert message in response.text
    assert "Something went wrong" not in response.text
    assert _files(client) == []


def test_too_large_upload_is_refused_and_nothing_is_kept(make_client: Any) -> None:
    client = make_client(max_upload_bytes=1024)
    _programme(client)
    response = _upload(client, "big.csv", b"score\n" + b"1\n" * 2000)
    assert response.status_code == 413
    assert "The file is larger than the 1 KB limit" in response.text
    assert _files(client) == []
    assert list(client.session().folder.glob("incoming-*")) == []
    assert 'value="School trial"' in response.text  # the rest of the form is kept


def test_mapping_problems_are_shown_on_the_page(client: Client, tmp_path: Path) -> None:
    _programme(client)
    csv = b"arm,score\n" + b"tutored,high\ncontrol,low\n" * 30
    _upload(client, "words.csv", csv)
    client.get("/evaluations/new/columns")
    response = client.post("/evaluations/new/columns",
                           {"columns.outcome": "score", "columns.group": "arm",
                            "columns.treatment": "tutored", "labels_shown": "1"})
    assert response.status_code == 400
    assert "expected a number" in response.text
    assert "words.csv" in response.text and "/tmp" not in response.text
    response = client.post("/evaluations/new/columns",
                           {"columns.outcome": "nope", "columns.group": "arm"})
    assert "Choose one of the file" in response.text


def test_a_submission_names_only_files_in_the_session_folder(client: Client,
                                                             tmp_path: Path) -> None:
    _programme(client)
    _upload(client, "trial.csv", trial_csv(tmp_path / "t.csv").read_bytes())
    # The data path is the server's: a posted 'data' field is ignored.
    client.get("/evaluations/new")
    client.post("/evaluations/new", {"title": "School trial", "design": "rct",
                                     "outcome.name": "Score", "source": "data",
                                     "data": "../../../etc/passwd.csv"})
    s = client.session()
    assert s.answers.drafts["new"]["data"] == "data/trial.csv"
    s.answers.evaluations.append(s.answers.drafts.pop("new"))
    # Even a tampered session cannot make the app read outside its folder.
    outside = tmp_path / "outside.csv"
    trial_csv(outside)
    for rel in ("../outside.csv", str(outside), "data/../../outside.csv"):
        s.answers.evaluations[0].update({"data": rel, "columns.outcome": "score",
                                         "columns.group": "arm", "columns.treatment": "tutored"})
        page = client.get("/result").text
        assert "is not one uploaded in this session" in page
        assert 'id="verified-level"' not in page


def test_a_symlink_out_of_the_session_folder_is_refused(client: Client, tmp_path: Path) -> None:
    s = client.session()
    target = trial_csv(tmp_path / "secret.csv")
    (s.data_dir / "link.csv").symlink_to(target)
    from evidencekit.questionnaire import safe_relative

    assert safe_relative("data/link.csv", s.folder) is None


# -- security ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/programme", "/questions", "/start", "/end",
                                 "/evaluations/new"])
def test_posts_without_the_csrf_token_are_refused(client: Client, url: str) -> None:
    client.get("/programme")
    before = dict(client.session().answers.values)
    for fields in ({}, {"csrf": "forged"}):
        response = client.post(url, {**fields, "programme.name": "Forged"}, token=False)
        assert response.status_code == 403
        assert "security token" in response.text
    assert client.session() is not None  # /end did not end it
    assert client.session().answers.values == before


def test_a_token_from_another_session_is_refused(make_client: Any) -> None:
    a, b = make_client(), make_client()
    response = a.post("/programme", {**PROGRAMME_FORM, "csrf": b.token}, token=False)
    assert response.status_code == 403


def test_a_post_from_another_site_is_refused(client: Client) -> None:
    client.get("/programme")
    response = client.post("/programme", PROGRAMME_FORM,
                           headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert "programme.name" not in client.session().answers.values


def test_an_upload_with_a_forged_token_leaves_no_file(client: Client, tmp_path: Path) -> None:
    response = _upload(client, "trial.csv", trial_csv(tmp_path / "t.csv").read_bytes(),
                       csrf="forged")
    assert response.status_code == 403
    assert _files(client) == []


@pytest.mark.parametrize("url", [
    "/download/../../etc/passwd", "/download/..%2F..%2Fetc%2Fpasswd",
    "/download/%2e%2e/%2e%2e/etc/passwd", "/download/report.pdf/../../x",
    "/download//etc/passwd", "/download/data/trial.csv", "/download/submission.yaml%00.pdf",
])
def test_downloads_cannot_traverse_paths(client: Client, url: str) -> None:
    _programme(client)
    response = client.http.get(url)
    assert response.status_code == 404
    assert "root:" not in response.text


def test_submission_text_is_escaped(client: Client) -> None:
    _programme(client, **{"programme.name": "<script>alert(1)</script>",
                          "theory_of_change.problem": "\"quoted\" & <b>bold</b>"})
    result = client.get("/result").text
    assert "<script>alert(1)</script>" not in result
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result
    page = client.get("/programme").text
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold" not in page
    html = client.get("/download/report.html").text
    assert "<script>alert(1)</script>" not in html


def test_request_size_limits(make_client: Any) -> None:
    client = make_client(max_upload_bytes=1024)
    client.get("/programme")
    response = client.post("/programme", {"programme.summary": "x" * (2 << 20)})
    assert response.status_code == 413
    assert "too much to send" in response.text
    response = client.http.post("/evaluations/new", content=b"x" * 10,
                                headers={"content-type": "multipart/form-data; boundary=zz",
                                         "content-length": str(2 << 30)})
    assert response.status_code == 413


def test_malformed_posts_get_a_page(client: Client) -> None:
    response = client.http.post("/evaluations/new", content=b"a=b",
                                headers={"content-type": "text/plain"})
    assert response.status_code == 400
    response = client.http.post("/programme", content=b"--x\r\n",
                                headers={"content-type": "multipart/form-data; boundary=x"})
    assert response.status_code == 400
    assert "could not be read" in response.text


def test_unexpected_host_is_refused_and_headers_are_set(client: Client) -> None:
    response = client.http.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    page = client.http.get("/")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"


def test_the_session_cookie_is_httponly_and_strict() -> None:
    from starlette.testclient import TestClient

    from evidencekit.web.app import WebConfig, create_app

    with TestClient(create_app(WebConfig(allowed_hosts=None))) as http:
        cookie = http.get("/").headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie


# -- sessions ----------------------------------------------------------------------------------


def test_finishing_deletes_answers_and_files(client: Client, tmp_path: Path) -> None:
    _programme(client)
    _upload(client, "trial.csv", trial_csv(tmp_path / "t.csv").read_bytes())
    folder = client.session().folder
    assert any(folder.rglob("*.csv"))
    response = client.post("/end", {})
    assert response.status_code == 200
    assert "have been deleted" in response.text
    assert not folder.exists()
    assert 'value="Reading Buddies"' not in client.get("/programme").text


def test_idle_sessions_time_out_and_their_files_go(make_client: Any, tmp_path: Path) -> None:
    client = make_client(session_timeout_seconds=60)
    _programme(client)
    _upload(client, "trial.csv", trial_csv(tmp_path / "t.csv").read_bytes())
    store = client.web.store
    folder = client.session().folder
    now = store.clock()
    store.clock = lambda: now + 61
    page = client.get("/programme").text
    assert not folder.exists()
    assert "Your earlier session ended" in page
    assert 'value="Reading Buddies"' not in page


def test_no_session_is_evicted_when_the_app_is_full(make_client: Any) -> None:
    from starlette.testclient import TestClient

    client = make_client(max_sessions=1)
    _programme(client)
    stranger = TestClient(client.http.app)  # another browser (no second app lifespan)
    response = stranger.get("/")
    assert response.status_code == 503
    assert "Too many people are using this app" in response.text
    assert stranger.post("/evaluations/new", data={"csrf": client.token}).status_code == 403
    assert client.session().answers.values["programme.name"] == "Reading Buddies"
    assert len(client.web.store) == 1


def test_stopping_the_app_deletes_every_session() -> None:
    from starlette.testclient import TestClient

    from evidencekit.web.app import WebConfig, create_app

    app = create_app(WebConfig(allowed_hosts=None))
    with TestClient(app) as http:
        http.get("/")
        root = app.state.web.store.root
        assert any(root.iterdir())
    assert not root.exists()


# -- downloads ---------------------------------------------------------------------------------


def test_downloaded_submission_reassesses_to_the_same_level(client: Client,
                                                            tmp_path: Path) -> None:
    import evidencekit

    _programme(client)
    client.get("/evaluations/new")
    client.post("/evaluations/new", PRE_POST_FORM)
    response = client.get("/download/submission.yaml")
    assert response.headers["content-disposition"] == \
        'attachment; filename="reading-buddies.yaml"'
    path = tmp_path / "mine.yaml"
    path.write_text(response.text, encoding="utf-8")
    assert response.text.startswith("# Written by the evidencekit self-assessment app")
    assert evidencekit.assess(path).level == 2
    html = client.get("/download/report.html")
    assert html.headers["content-type"].startswith("text/html")
    assert "Reading Buddies" in html.text


@pytest.mark.parametrize("rid", sorted(bundled_rubrics()))
def test_every_bundled_rubric_works_end_to_end(make_client: Any, rid: str) -> None:
    """No web code knows a framework: each bundled rubric gives its questions and a result."""
    client = make_client()
    assert client.post("/start", {"rubric": rid}).status_code == 303
    _programme(client)
    client.get("/evaluations/new")
    assert client.post("/evaluations/new", PRE_POST_FORM).status_code == 303
    rubric = load_rubric(bundled_rubrics()[rid])
    questions = client.get("/questions")
    assert questions.status_code == 200
    from markupsafe import escape

    assert str(escape(rubric.levels[0].criteria[0].question.strip())) in questions.text
    result = client.get("/result")
    assert result.status_code == 200
    assert str(escape(rubric.title)) in result.text
    assert re.search(r'id="verified-level">\d<', result.text)


def test_a_submission_the_loader_refuses_is_never_downloaded(client: Client) -> None:
    """An evaluation carried over unchanged from an uploaded file (one the form cannot show)
    that the loader refuses: the result says why, and no YAML is handed out."""
    _programme(client)
    client.session().answers.kept.append(
        {"id": "old", "design": "rct", "outcomes": [{"name": "A", "reported": {"t": "abc"}}]})
    assert "Almost there" in client.get("/result").text
    response = client.get("/download/submission.yaml")
    assert response.status_code == 409
    assert "cannot be saved as a submission file yet" in response.text
