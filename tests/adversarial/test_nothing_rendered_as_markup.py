"""Promise 9: nothing a pull request contains is rendered as markup or control sequences.

File names are the author's: a name with backticks once closed the bot's code span and rendered a
link and an @team mention in the summary, and ANSI escapes in a name reached terminals raw. What
the bot posts is rendered here as GitHub renders Markdown (CommonMark with tables, raw HTML on);
only code spans may hold an author's text."""
import json
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from adversarial import GITHUB_TOKEN, STRIPE_KEY, CorgiService, github_repository_id, new_file, pr_event, run_corgi

HOSTILE_NAMES = [
    "docs/`[reset your password](https://evil.example/login)` @octo/owners.py",
    "docs/``` ``[x](https://evil.example)`` ```.py",
    "docs/<img src=x onerror=alert(1)> <!-- x.py",
    "docs/a|b| ![i](https://evil.example/i.png) #1.py",
    "docs/\u202eyp.exe\u202c @octo.py",
]
HEAD = "e" * 40


class Rendered(HTMLParser):
    """Text outside <code>, and every tag, of GitHub-style rendered Markdown."""

    def __init__(self):
        super().__init__()
        self.tags, self.outside, self.depth = [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.depth += tag == "code"

    def handle_endtag(self, tag):
        self.depth -= tag == "code"

    def handle_data(self, data):
        if self.depth == 0:
            self.outside.append(data)


def rendered(markdown: str) -> Rendered:
    parser = Rendered()
    parser.feed(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))
    return parser


def assert_inert(markdown: str):
    page = rendered(markdown)
    assert not {"a", "img", "script"} & set(page.tags), page.tags
    text = "".join(page.outside)
    for needle in ("@octo", "evil.example", "onerror", "#1", "\u202e"):
        assert needle not in text, (needle, text)


def test_hostile_file_names_stay_code_in_every_comment_and_check_run(github, tmp_path):
    diff = "".join(new_file(name, [f'TOKEN = "{GITHUB_TOKEN}"']) for name in HOSTILE_NAMES)
    github.add_installation(1, "octo", repos=["octo/site"])
    github.set_pull("octo/site", 4, HEAD, "main", diff)
    with CorgiService(tmp_path, github) as service:
        status, _ = service.deliver("pull_request", pr_event(
            "opened", full_name="octo/site", repository_id=github_repository_id(github, "octo/site"), installation=1, number=4,
            head=HEAD))
        assert status == 202
        github.wait_for(lambda d: any(r.get("status") == "completed" for r in d.check_runs.values()))
        service.wait_idle()
    summary, = github.issue_comments.values()
    assert summary["body"].count("github-pat-classic") >= len(HOSTILE_NAMES)
    assert_inert(summary["body"])
    for review in github.reviews.values():
        assert_inert(review.get("body") or "")
    for comment in github.review_comments.values():
        assert_inert(comment["body"])
    run, = github.check_runs.values()
    assert_inert(run["output"]["summary"])
    for annotation in run["annotations"]:
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in annotation["message"])


def test_ansi_escapes_in_paths_never_reach_a_terminal(tmp_path):
    name = "src/\x1b[2J\x1b]0;pwned\x07\x1b[31mok\u202e.py"
    diff = (tmp_path / "x.diff")
    diff.write_bytes(new_file(name, [f'KEY = "{STRIPE_KEY}"']).encode())
    for fmt in ("text", "github"):
        result = run_corgi("scan", diff, "--format", fmt, env={"HOME": str(tmp_path)})
        assert result.returncode == 1, result.stderr
        out = result.stdout.decode()
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out, repr(out)
        assert "\\u{1B}[2J" in out or "%1B" in out or "\\u{1B}" in out
    # GitHub Actions commands: one per line, whatever the path.
    lines = run_corgi("scan", diff, "--format", "github", env={"HOME": str(tmp_path)}).stdout.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error file=")
    # JSON keeps the exact path, escaped by JSON itself.
    report = json.loads(run_corgi("scan", diff, "--format", "json", env={"HOME": str(tmp_path)}).stdout)
    assert report["findings"][0]["path"] == name


def test_what_a_model_says_is_shown_as_code_because_the_author_can_steer_it(github, tmp_path):
    """Prompt injection: a comment in the pull request can make the model answer with Markdown.
    Its message must render no link, image, HTML or mention in any comment or check run."""
    import urllib.request
    from llm_double import running_double

    hostile = ("[reset your password](https://evil.example/login) ![i](https://evil.example/i.png) "
               "<img src=x onerror=alert(1)> @octo/owners fixes #1 `` ` ``\u202e")
    diff = new_file("app/invoices.py", ["def delete_invoice(id):", "    invoice = Invoice.query.get_or_404(id)",
                                        "    db.session.delete(invoice)"])
    github.add_installation(1, "octo", repos=["octo/site"])
    github.set_pull("octo/site", 5, HEAD, "main", diff)
    with running_double("sk-ant-adv-" + "k" * 40) as model:
        model.message = hostile
        service = CorgiService(tmp_path, github, extra_settings=(
            f"ai:\n  provider: anthropic\n  base_url: {model.base_url}\n  model: claude-test\n"))
        (service.secrets_dir / "ai-api-key").write_text(model.api_key)
        with service:
            created = run_corgi("api-key", "create", "--config", service.settings, "--organisation", "github/octo", "--role", "owner",
                                "--name", "policy")
            assert created.returncode == 0, created.stderr
            request = urllib.request.Request(service.url + "/api/v1/orgs/github/octo/policy", method="PUT",
                                             data=json.dumps({"ai_review": True}).encode(),
                                             headers={"Authorization": f"Bearer {created.stdout.decode().strip()}",
                                                      "Content-Type": "application/json"})
            assert urllib.request.urlopen(request, timeout=30).status == 200
            status, _ = service.deliver("pull_request", pr_event(
                "opened", full_name="octo/site", repository_id=github_repository_id(github, "octo/site"), installation=1, number=5,
                head=HEAD))
            assert status == 202
            github.wait_for(lambda d: any(r.get("status") == "completed" for r in d.check_runs.values()))
            service.wait_idle()
        assert len(model.requests) == 1
    comments = [c["body"] for c in github.review_comments.values()]
    assert comments and all("AI review" in body for body in comments), comments
    for body in comments + [c["body"] for c in github.issue_comments.values()]:
        assert "evil.example" in body, "the message is shown, as code"
        assert_inert(body)
    run, = github.check_runs.values()
    assert_inert(run["output"]["summary"])
